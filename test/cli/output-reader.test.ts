/**
 * The command exits when the reader of its output goes away, even while the file is quiet (GNU tail 9:
 * `tail -f f | head -n2` ends 0.03 s after head). Real shell pipelines around the built command; the file
 * gets no write after the reader went away, so only watching the reader can end the run.
 */
import { spawn } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';
import { BIN } from '../helpers/spawn.js';

interface Ended {
  /** `${PIPESTATUS[@]}` of the pipeline. */
  readonly statuses: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `pipeline` in bash (`$TAIL` is the command), with a deadline; resolves when it ends. */
function runPipeline(pipeline: string, cwd: string, deadlineMs = 10_000): Promise<Ended> {
  const started = Date.now();
  const child = spawn('bash', ['-c', `${pipeline}; echo "statuses \${PIPESTATUS[*]}" >&2`], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TAIL: `${process.execPath} ${BIN}`, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), deadlineMs);
  return new Promise((resolve) =>
    child.on('close', () => {
      clearTimeout(timer);
      const statuses = /statuses (.*)\n/.exec(stderr)?.[1] ?? `killed after ${deadlineMs} ms`;
      resolve({ statuses, stdout, stderr: stderr.replace(/statuses .*\n/, ''), ms: Date.now() - started });
    }),
  );
}

describe('the reader of the output goes away', () => {
  it('ends `tail-async -n 1 srv.log | grep -m1 started` once grep has its line, quietly, with status 141', async () => {
    const dir = await tempDir();
    // The line is there from the start (no race with the command's start); nothing is written after it.
    await writeFile(path.join(dir, 'srv.log'), 'booting\nserver started\n');
    expect(await runPipeline('$TAIL -n 1 srv.log | grep -m1 started', dir)).toMatchObject({ statuses: '141 0', stdout: 'server started\n', stderr: '' });
  });

  it('ends `tail-async f | head -n2` on a quiet file, like GNU tail (status 141)', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'f'), 'a\nb\nc\n');
    expect(await runPipeline('$TAIL f | head -n2', dir)).toMatchObject({ statuses: '141 0', stdout: 'a\nb\n', stderr: '' });
    expect(await runPipeline('tail -f f | head -n2', dir)).toMatchObject({ statuses: '141 0', stdout: 'a\nb\n', stderr: '' });
  });

  it('goes on while a child the reader handed the pipe to still reads, and ends after it', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'f'), 'a\n');
    // The shell reading the pipe exits at once; its child holds the pipe for another 0.6 s, then reads.
    const pipeline = `$TAIL f | sh -c 'exec 3<&0; (sleep 0.6; head -c1 <&3 >/dev/null; touch child-done) & exit 0'; wait; test -e child-done && echo child-was-done-first`;
    const ended = await runPipeline(pipeline, dir);
    expect(ended.stdout).toBe('child-was-done-first\n');
    expect(ended.ms).toBeGreaterThanOrEqual(600);
  });

  it('ends a run writing into a named FIFO once its reader closed it', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'f'), 'a\nb\n');
    const ended = await runPipeline('mkfifo out && { head -n1 out > got & } && $TAIL f > out; echo "tail $?" >&2; wait', dir);
    expect(ended.stderr).toBe('tail 141\n');
    expect(await readFile(path.join(dir, 'got'), 'utf8')).toBe('a\n');
  });

  it('keeps what was delivered with --state-file: the next run starts after what the pipe took', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'f'), 'a\nb\nc\n');
    const first = await runPipeline('$TAIL -n +1 --state-file s.json f | head -n1', dir);
    expect(first).toMatchObject({ statuses: '141 0', stdout: 'a\n' });
    // The pipe took all three lines before head went away: they were delivered (README, Checkpoints).
    expect(JSON.parse(await readFile(path.join(dir, 's.json'), 'utf8')).entries[0].offset).toBe(6);
    await appendFile(path.join(dir, 'f'), 'd\n');
    expect(await runPipeline('$TAIL --no-follow --state-file s.json f', dir)).toMatchObject({ statuses: '0', stdout: 'd\n', stderr: '' });
  });
});
