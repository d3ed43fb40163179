import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');
const env = { ...process.env, TERM: 'dumb', TZ: 'UTC', NO_COLOR: '1' };
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the real binary, keeping its output. */
function start(args: string[], options: { stdin?: 'pipe' | 'ignore' } = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '', status: undefined as number | null | undefined, signal: undefined as NodeJS.Signals | null | undefined };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (status, signal) => {
      out.status = status;
      out.signal = signal;
      resolve();
    }),
  );
  return { child, out, exited };
}

describe('the tail-async binary', () => {
  it('exits promptly and quietly when the reader goes away (tail-async big.log | head -1)', async () => {
    const file = path.join(await tempDir(), 'big.log');
    await writeFile(file, Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" -n +1 --no-follow "${file}" | head -1`], { env, encoding: 'utf8', timeout: 10_000 });
    expect(result.stdout).toBe('line 0\n');
    expect(result.stderr).toBe('');
    expect([0, 141]).toContain(result.status);
  });

  it('in follow mode, exits quietly on the first write after the reader went away', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'first\n');
    const { child, out, exited } = start([file]);
    await waitFor(() => out.stdout === 'first\n', 'the first line');
    // Like `| head -1`: the reader closes its end of the pipe and goes away.
    child.stdout!.destroy();
    await appendFile(file, 'second\n');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    expect(out.status).toBe(141);
    expect(out.stderr).toBe('');
  });

  it('ends within a second of SIGTERM with status 143 and no stack trace', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'hello\n');
    const { child, out, exited } = start([file]);
    await waitFor(() => out.stdout === 'hello\n', 'the first line');
    const sent = Date.now();
    child.kill('SIGTERM');
    await exited;
    expect(Date.now() - sent).toBeLessThan(1_000);
    expect(out).toMatchObject({ status: 143, stderr: '' });
  });

  it('ends within a second of SIGINT with status 130', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'hello\n');
    const { child, out, exited } = start([file]);
    await waitFor(() => out.stdout === 'hello\n', 'the first line');
    child.kill('SIGINT');
    await exited;
    expect(out).toMatchObject({ status: 130, stderr: '' });
  });

  it('streams standard input as it arrives and exits 0 at its end', async () => {
    const { child, out, exited } = start([], { stdin: 'pipe' });
    child.stdin!.write('one\n');
    await waitFor(() => out.stdout === 'one\n', 'the first line before the end of input');
    child.stdin!.end('two\n');
    await exited;
    expect(out).toMatchObject({ status: 0, stdout: 'one\ntwo\n', stderr: '' });
  });

  it('exits 0 after the --pid process dies', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const writer = spawn(process.execPath, ['-e', `require('fs').appendFileSync(${JSON.stringify(file)}, 'from writer\\n'); setTimeout(() => {}, 300)`]);
    children.push(writer);
    const { out, exited } = start(['--pid', String(writer.pid), file]);
    await exited;
    expect(out).toMatchObject({ status: 0, stdout: 'from writer\n', stderr: '' });
  });

  it('prints each line appended to a file at once when stdout is a pipe (no output buffering, no waiting for the poll)', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'ready\n');
    // The safety poll an hour away: only the watcher brings these lines, and only an unbuffered write
    // puts each on the pipe before the next is appended. (How soon: the bench's latency workload.)
    const { out } = start(['-s', '3600', file]);
    await waitFor(() => out.stdout === 'ready\n', 'the process to follow the file');
    for (let i = 0; i < 5; i++) {
      await appendFile(file, `l${i}\n`);
      await waitFor(() => out.stdout.endsWith(`l${i}\n`), `line ${i}`, 10_000);
    }
    expect(out.stdout).toBe('ready\n' + [0, 1, 2, 3, 4].map((i) => `l${i}\n`).join(''));
  });
});
