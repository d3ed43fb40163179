/**
 * Follow scenarios of GNU coreutils' own tests, run against GNU tail (the installed oracle) and
 * tail-async side by side, step for step: the bytes printed must be the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

const bin = process.env.TAIL_ASYNC_BIN ?? path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');
const env = { ...process.env, TERM: 'dumb', TZ: 'UTC', NO_COLOR: '1', LC_ALL: 'C' };
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

interface Run {
  readonly dir: string;
  readonly out: { stdout: string; stderr: string };
}

function start(command: string, args: string[], dir: string): Run {
  const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return { dir, out };
}

/** Does `step` in both directories, then waits until both outputs show `expect` (GNU's check_tail_output). */
async function both(runs: Run[], step: (dir: string) => void, until: (run: Run) => boolean, what: string): Promise<void> {
  for (const run of runs) step(run.dir);
  for (const run of runs) await waitFor(() => until(run), () => `${what} (${run === runs[0] ? 'GNU tail' : 'tail-async'}: ${JSON.stringify(run.out)})`, 10_000);
}

const shows = (file: string, data: string) => (run: Run) => run.out.stdout.includes(`==> ${file} <==\n${data}\n`);
const says = (text: string) => (run: Run) => run.out.stderr.includes(text);

describe('GNU coreutils tests/tail/F-vs-rename.sh', () => {
  it('mv a b with both followed: the same bytes as GNU tail, `y` once under b', async () => {
    const dirs = [await tempDir(), await tempDir()];
    for (const dir of dirs) for (const name of ['a', 'b']) writeFileSync(path.join(dir, name), '');
    const gnu = start('tail', ['-F', '-s.1', '--max-unchanged-stats=1', 'a', 'b'], dirs[0]!);
    const ours = start(process.execPath, [bin, '-F', '-s', '0.1', 'a', 'b'], dirs[1]!);
    const runs = [gnu, ours];
    const at = (name: string) => (dir: string) => path.join(dir, name);
    // Both print their headers once they follow the files.
    await both(runs, () => {}, (r) => r.out.stdout.includes('==> b <==\n'), 'the headers');
    await both(runs, (d) => writeFileSync(at('a')(d), 'x\n'), shows('a', 'x'), 'x under a');
    await both(runs, (d) => renameSync(at('a')(d), at('b')(d)), says('inaccessible'), "'a' has become inaccessible");
    await both(runs, () => {}, says('replaced'), "'b' has been replaced");
    await both(runs, () => {}, shows('b', 'x'), 'x under b');
    await both(runs, (d) => writeFileSync(at('a')(d), 'x2\n'), says('has appeared'), "'a' has appeared");
    await both(runs, () => {}, shows('a', 'x2'), 'x2 under a');
    await both(runs, (d) => appendFileSync(at('b')(d), 'y\n'), shows('b', 'y'), 'y under b');
    await both(runs, (d) => appendFileSync(at('a')(d), 'z\n'), shows('a', 'z'), 'z under a');
    expect(ours.out.stdout).toBe(gnu.out.stdout);
    expect(ours.out.stdout.split('y\n')).toHaveLength(2);
    expect(ours.out.stderr.replaceAll('tail-async: ', 'tail: ')).toBe(gnu.out.stderr);
  });
});

describe('a partial last line while following (coreutils prints it as it is)', () => {
  it('prints `x\ny` at once and then what completes it, byte for byte as GNU tail', async () => {
    const dirs = [await tempDir(), await tempDir()];
    for (const dir of dirs) writeFileSync(path.join(dir, 'f'), 'x\ny');
    const gnu = start('tail', ['-f', '-s.1', 'f'], dirs[0]!);
    const ours = start(process.execPath, [bin, '-f', '-s', '0.1', 'f'], dirs[1]!);
    const runs = [gnu, ours];
    const printed = (text: string) => (run: Run) => run.out.stdout === text;
    await both(runs, () => {}, printed('x\ny'), 'x and the partial y');
    await both(runs, (d) => appendFileSync(path.join(d, 'f'), 'z\nw'), printed('x\nyz\nw'), 'the rest of the line, and another partial one');
    await both(runs, (d) => appendFileSync(path.join(d, 'f'), '\n'), printed('x\nyz\nw\n'), 'the newline');
    expect(ours.out.stderr).toBe('');
  });
});

