import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');

describe('timer options on the command line', () => {
  it('a --processor-timeout longer than a Node timer holds does not fail every line', async () => {
    const dir = await tempDir();
    const plugin = path.join(dir, 'slow.mjs');
    await writeFile(plugin, 'export default async (text) => { await new Promise((r) => setTimeout(r, 20)); return text.toUpperCase(); };\n');
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'a\nb\n');
    const result = await runCli(['--no-follow', '-n', '+1', '--plugin', plugin, '--processor-timeout', '2200000', file], { cwd: dir });
    expect({ status: result.status, stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({ status: 0, stdout: 'A\nB\n', stderr: '' });
  });

  it.each([
    [['-s', '1e300', '--poll']],
    [['--rotate-wait', '1e300']],
    [['--multiline-start', '^E', '--multiline-timeout', '1e300']],
  ])('huge numbers of seconds are accepted (clamped): %j', async (flags) => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'E1\nE2\n');
    const result = await runCli([...flags, '-n', '+1', file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text.startsWith('E1\n'), 'the first line');
        signals.emit('SIGTERM');
      },
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 143, stderr: '' });
  });

  it('-s 0 while watching does not poll every millisecond: 100 quiet files cost next to no CPU', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'logs'));
    const files = Array.from({ length: 100 }, (_, i) => path.join(dir, 'logs', `f${i}.log`));
    await Promise.all(files.map((f) => writeFile(f, 'x\n')));
    const child = spawn(process.execPath, [bin, '-q', '-s', '0', ...files], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      await waitFor(() => out.length === 200, 'the last line of every file');
      const cpu = () => {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in seconds (USER_HZ 100)
      };
      const before = cpu();
      const start = Date.now();
      await waitFor(() => Date.now() - start >= 2_000, 'two seconds of quiet', 5_000);
      // Measured: 0.45 s with a poll every millisecond; about 0.02 s with the floor of 100 ms.
      expect(cpu() - before).toBeLessThan(0.3);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
