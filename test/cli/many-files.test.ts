import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');
const kills: Array<() => void> = [];

afterEach(() => {
  for (const kill of kills.splice(0)) kill();
});

/** CPU seconds (user + system) the process has used, from /proc/PID/stat (in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Starts the command through bash with a hard limit of 1 024 descriptors, keeping its output. */
function startLimited(args: string[]) {
  // `ulimit -n 1024` lowers the hard limit too, so Node cannot raise it: the shell's default limit, for real.
  const child = spawn('bash', ['-c', 'ulimit -n 1024 && exec "$@"', 'bash', process.execPath, bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  kills.push(() => child.kill('SIGKILL'));
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  return { child, out };
}

/** 1 000 files of one line each in a fresh directory. */
async function thousandFiles(): Promise<{ dir: string; files: string[] }> {
  const dir = await tempDir();
  const files = Array.from({ length: 1000 }, (_, i) => path.join(dir, `app-${i}.log`));
  for (const file of files) await writeFile(file, 'old\n');
  return { dir, files };
}

/** Waits until a line appended to `file` comes out: every file was opened before it. */
async function ready(file: string, out: { stdout: string }, each: () => void = () => {}): Promise<void> {
  await waitFor(async () => {
    each();
    if (out.stdout.includes('ready\n')) return true;
    await appendFile(file, 'ready\n');
    return false;
  }, 'the command to follow the files', 20_000);
}

/** Descriptors the process holds now (0 once it is gone). */
function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

describe('following 1 000 files', () => {
  it('stays under the usual limit of 1 024 descriptors, and every file is still followed', async () => {
    const { dir, files } = await thousandFiles();
    const { child, out } = startLimited(['-q', '-n', '0', path.join(dir, '*.log')]);
    let maxFds = 0;
    const sample = () => (maxFds = Math.max(maxFds, fdCount(child.pid!)));
    await ready(files[999]!, out, sample);
    for (let i = 0; i < files.length; i++) {
      await appendFile(files[i]!, `line of ${i}\n`);
      if (i % 25 === 0) sample();
    }
    await waitFor(() => (sample(), (out.stdout.match(/^line of /gm) ?? []).length >= 1000), 'a line from every file', 30_000);
    const got = out.stdout.split('\n').filter((l) => l.startsWith('line of ')).map((l) => Number(l.slice(8)));
    expect(new Set(got).size).toBe(1000);
    expect(got.length).toBe(1000);
    expect(out.stderr).toBe('');
    // The default cap is 256 open files; Node itself holds about 20 descriptors (stdio, epoll, inotify, pipes).
    expect(maxFds).toBeLessThanOrEqual(256 + 40);
    console.info(`1000 files followed: at most ${maxFds} descriptors open`);
    child.kill('SIGTERM');
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).toBe(143);
  }, 90_000);

  it('keeps the cap given with --max-open-files', async () => {
    const { dir, files } = await thousandFiles();
    const { child, out } = startLimited(['-q', '-n', '0', '--max-open-files', '40', path.join(dir, '*.log')]);
    let maxFds = 0;
    const sample = () => (maxFds = Math.max(maxFds, fdCount(child.pid!)));
    await ready(files[999]!, out, sample);
    for (let i = 0; i < files.length; i += 10) {
      await appendFile(files[i]!, `line of ${i}\n`);
      sample();
    }
    await waitFor(() => (sample(), (out.stdout.match(/^line of /gm) ?? []).length >= 100), 'a line from every tenth file', 30_000);
    expect(out.stdout.split('\n').filter((l) => l.startsWith('line of ')).length).toBe(100);
    expect(maxFds).toBeLessThanOrEqual(40 + 40);
    console.info(`--max-open-files 40: at most ${maxFds} descriptors open`);
  }, 60_000);

  it('costs next to no CPU while the files stay quiet (no busy polling)', async () => {
    const { dir, files } = await thousandFiles();
    const { child, out } = startLimited(['-q', '-n', '0', path.join(dir, '*.log')]);
    await ready(files[999]!, out);
    // A measurement window, not a wait for a state: the CPU used over it is the result. The target
    // (0.2 s per 10 s) is checked by `npm run bench`; this bound only catches a busy loop, which would
    // use about a whole core, whatever the load of the machine running the tests.
    const before = cpuSeconds(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const used = cpuSeconds(child.pid!) - before;
    console.info(`1000 quiet files: ${used.toFixed(2)} s of CPU in 3 s`);
    expect(used).toBeLessThan(0.6);
    expect(out.stdout.split('\n').filter((l) => l !== 'ready')).toEqual(['']);
  }, 60_000);
});
