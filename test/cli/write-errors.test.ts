import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');
const env = { ...process.env, TERM: 'dumb', TZ: 'UTC', NO_COLOR: '1' };
const ENOSPC = "tail-async: error writing 'standard output': No space left on device\n";

/** Runs the binary with its standard output on `out` (a path opened for writing), or closed (`>&-`). */
function runWith(out: string | 'closed', args: string[]): Promise<{ status: number | null; stderr: string }> {
  const fd = out === 'closed' ? undefined : openSync(out, 'w');
  const child =
    fd === undefined
      ? spawn('sh', ['-c', 'exec "$0" "$@" >&-', process.execPath, bin, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, [bin, ...args], { env, stdio: ['pipe', fd, 'pipe'] });
  if (fd !== undefined) closeSync(fd);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    }),
  );
}

async function savedOffset(state: string): Promise<number> {
  return JSON.parse(await readFile(state, 'utf8')).entries[0].offset;
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('a failed write to standard output', () => {
  it.each([
    ['block by block (following)', ['-n', '+1']],
    ['line by line (following, --prefix)', ['-n', '+1', '--prefix']],
  ])('ends the run with status 1 and GNU’s words, and saves no position past it: %s', async (_how, flags) => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const state = path.join(dir, 'state.json');
    await writeFile(file, lines(1000));
    const result = await runWith('/dev/full', [...flags, '--state-file', state, file]);
    expect(result).toEqual({ status: 1, stderr: ENOSPC });
    expect(await savedOffset(state)).toBe(0);
  });

  it('ends a --no-follow copy with status 1 and GNU’s words', async () => {
    const file = path.join(await tempDir(), 'small.log');
    await writeFile(file, lines(10));
    expect(await runWith('/dev/full', ['--no-follow', '-n', '+1', file])).toEqual({ status: 1, stderr: ENOSPC });
  });

  it('to a closed standard output (>&-) ends a follow run with status 1 before the state moves', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const state = path.join(dir, 'state.json');
    await writeFile(file, lines(3));
    const result = await runWith('closed', ['-n', '+1', '--state-file', state, file]);
    expect(result).toEqual({ status: 1, stderr: "tail-async: error writing 'standard output': Bad file descriptor\n" });
    expect(await savedOffset(state)).toBe(0);
  });

  // A real full file system: the kernel takes part of a write (a short write), then refuses the rest.
  it('on a full file system, saves only what was written, and --no-follow fails instead of exiting 0', async (ctx) => {
    const dir = await tempDir();
    const mnt = path.join(dir, 'mnt');
    await mkdir(mnt);
    if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) return ctx.skip();
    try {
      const out = path.join(mnt, 'out');
      const file = path.join(dir, 'big.log');
      const state = path.join(dir, 'state.json');
      await writeFile(file, lines(30_000));
      expect(await runWith(out, ['-n', '+1', '--state-file', state, file])).toEqual({ status: 1, stderr: ENOSPC });
      const written = await readFile(out);
      const saved = await savedOffset(state);
      expect(saved).toBeLessThanOrEqual(written.length);
      expect(written.subarray(0, saved).toString()).toBe((await readFile(file, 'utf8')).slice(0, saved));

      for (const flags of [[], ['--prefix']]) {
        await rm(out);
        const small = path.join(dir, 'small.log');
        await writeFile(small, lines(10_000)); // about 100 KB: more than the file system holds, in one write
        expect(await runWith(out, ['--no-follow', '-n', '+1', ...flags, small])).toEqual({ status: 1, stderr: ENOSPC });
      }
    } finally {
      spawnSync('umount', [mnt]);
    }
    expect(existsSync(path.join(mnt, 'out'))).toBe(false);
  });
});
