import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';
import { startWriter } from '../helpers/writer.js';

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');
const TOTAL = 20_000;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function startCli(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

const numbers = (text: string) => text.split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5)));

describe.each([
  ['SIGKILL', 'SIGKILL'],
  ['SIGTERM', 'SIGTERM'],
] as const)('restart after %s with --state-file', (_name, signal) => {
  it('loses no line across the restart' + (signal === 'SIGTERM' ? ', and repeats none' : ''), async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const state = path.join(dir, 'state.json');
    await writeFile(file, 'ready\n');
    const args = ['--state-file', state, file];
    const first = startCli(args);
    await waitFor(() => first.out.stdout === 'ready\n', 'the first run to follow the file');
    // TOTAL numbered lines over about 2 s.
    const written = startWriter(file, TOTAL, 100);
    // Past the first periodic save (about a second in), so that the first run has progress to keep.
    await waitFor(() => numbers(first.out.stdout).length > 13_000, 'the first run to be well under way', 10_000);
    first.child.kill(signal);
    await first.exited;
    const second = startCli(args);
    await written;
    await waitFor(() => numbers(second.out.stdout).at(-1) === TOTAL, 'the second run to reach the last line', 10_000);
    second.child.kill('SIGTERM');
    await second.exited;

    const a = numbers(first.out.stdout);
    const b = numbers(second.out.stdout);
    // Each run prints its lines in order, without gaps.
    for (const run of [a, b]) expect(run.every((n, i) => i === 0 || n === run[i - 1]! + 1)).toBe(true);
    const seen = new Set([...a, ...b]);
    const missing = Array.from({ length: TOTAL }, (_, i) => i + 1).filter((n) => !seen.has(n));
    expect(missing).toEqual([]);
    const duplicates = a.length + b.length - seen.size;
    console.info(`restart after ${signal}: first run ${a.length} lines, second ${b.length}, duplicates ${duplicates}`);
    if (signal === 'SIGTERM') expect(duplicates).toBe(0);
    // After SIGKILL, only lines written out after the last save (about a second's worth at most) repeat:
    // the second run starts after the first run's beginning, inside its last second.
    else {
      expect(duplicates).toBeLessThan(a.length);
      expect(duplicates).toBeLessThanOrEqual(11_000);
    }
    expect(b[0]).toBeLessThanOrEqual(a.at(-1)! + 1);
    expect(first.out.stderr + second.out.stderr).toBe('');
  }, 40_000);
});

describe('a partial last line across a restart with --state-file', () => {
  it('is printed once, as it was written: neither repeated nor cut into two lines', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const state = path.join(dir, 'state.json');
    await writeFile(file, 'x\ny');
    const args = ['--state-file', state, file];
    const first = startCli(args);
    await waitFor(() => first.out.stdout === 'x\ny', 'the first run to print x and the partial y');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(143);
    await writeFile(file, 'z\nw\n', { flag: 'a' });
    const second = startCli(args);
    await waitFor(() => second.out.stdout === 'z\nw\n', () => `the rest of the line, then w (got ${JSON.stringify(second.out.stdout)})`);
    second.child.kill('SIGTERM');
    await second.exited;
    expect(first.out.stdout + second.out.stdout).toBe('x\nyz\nw\n');
  });
});
