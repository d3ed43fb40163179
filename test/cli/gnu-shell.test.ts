/**
 * What GNU coreutils' shell tests of tail (tests/tail/*.sh) check without following, run on GNU tail 9.1 and
 * on bin/tail-async.js (with `--no-follow`) side by side: the same arguments, input and environment,
 * compared on stdout, stderr and exit status. Each case names its script. Files of /proc and /sys are read
 * as the kernel gives them (their size says nothing), a 4 GiB sparse file by position, standard input
 * from where the caller left it. Both programs run in batch scripts, alongside the tests.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Batch, batchDirectory, expectOutcome, GNU_TAIL, type BatchCase, type Outcome } from '../helpers/batch.js';
import { BIN, spawnCli } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';

// The name GNU tail 9.1 is run by, so that its messages name it as ours do after the substitution.
const gnu = new Batch([GNU_TAIL], GNU_TAIL);
const ours = new Batch([process.execPath, BIN], BIN);
const dir = batchDirectory('gnu-shell', [gnu, ours], () => makeFiles());
const at = (name: string) => path.join(dir, name);

/** The files the cases read, made in beforeAll. */
function makeFiles(): void {
  writeFileSync(at('file.in'), '=================================\n'.repeat(1024));
  // 4 GiB exactly, sparse: 8 bytes at each end.
  const big = openSync(at('big'), 'w');
  writeSync(big, 'abcdefgh', 0);
  writeSync(big, '87654321', 2 ** 32 - 8);
  closeSync(big);
  writeFileSync(at('k'), '1\n2\n');
  writeFileSync(at('123456'), '123456');
  writeFileSync(at('foo'), 'foo\n');
  writeFileSync(at('bar'), 'bar\n');
  writeFileSync(at('present'), 'present\n');
  writeFileSync(at('unreadable'), 'secret\n');
  chmodSync(at('unreadable'), 0);
  writeFileSync(at('\n'), '');
  writeFileSync(at('normal'), '');
  // A unix socket, which cannot be opened: left behind by a process that bound it.
  execFileSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(at('sock'))}, () => process.exit(0))`]);
}

interface ShellCase {
  /** The coreutils script it comes from, and what it checks. */
  readonly title: string;
  readonly args: readonly string[];
  readonly stdin?: BatchCase['stdin'];
  /** Follows (`-f` on a pipe): no `--no-follow` for tail-async. */
  readonly follows?: true;
}

const CASES: readonly ShellCase[] = [
  { title: 'basic-seek.sh: -n200 of 1024 lines', args: ['-n200', at('file.in')] },
  { title: 'big-4gb.sh: the last byte of a 4 GiB file', args: ['-c1', at('big')] },
  { title: 'start-middle.sh: standard input from where the caller left it', args: [], stdin: { path: at('k'), how: 'after-first-line' } },
  { title: 'start-middle.sh: the same, with -n1 and a header', args: ['-v', '-n1'], stdin: { path: at('k'), how: 'after-first-line' } },
  { title: 'tail-c.sh: the last byte of /proc/version', args: ['-c', '-1', '/proc/version'] },
  { title: 'tail-c.sh: the last byte of /sys/kernel/profiling', args: ['-c', '-1', '/sys/kernel/profiling'] },
  { title: 'tail-c.sh: -c3 of a pipe', args: ['-c3'], stdin: { path: at('123456'), how: 'pipe' } },
  { title: 'tail-sysfs.sh: -n1 /sys/kernel/profiling', args: ['-n1', '/sys/kernel/profiling'] },
  { title: 'tail-sysfs.sh: -c2 /sys/kernel/profiling', args: ['-c2', '/sys/kernel/profiling'] },
  { title: 'proc-ksyms.sh: -n2 /proc/kallsyms (megabytes behind a size of 0)', args: ['-n2', '/proc/kallsyms'] },
  { title: 'proc: -c +2 /proc/version skips its first byte', args: ['-c', '+2', '/proc/version'] },
  { title: 'tail-n0f.sh: -c0 of an unreadable file, without reading it', args: ['-c0', at('unreadable')] },
  { title: 'tail-n0f.sh: -n0 of a missing file, without opening it', args: ['-n0', at('missing')] },
  { title: 'quote-headers.sh: a name with a newline (9.1 does not quote it yet)', args: ['-n1', at('\n'), at('normal')] },
  { title: 'retry.sh: --retry without follow is ignored, with a warning', args: ['--retry', at('present')] },
  { title: 'retry.sh: --retry without follow, missing file', args: ['--retry', at('missing')] },
  { title: 'pipe-f.sh: -f on a pipe is ignored', args: ['-f', '-c3'], stdin: { path: at('foo'), how: 'pipe' }, follows: true },
  {
    title: 'pipe-f.sh: -f on a pipe and a missing file',
    args: ['-f', '-c3', '-', at('missing')],
    stdin: { path: at('bar'), how: 'pipe' },
    follows: true,
  },
  // Not from a script: without following, standard input gets GNU's default too, the last 10 lines.
  { title: 'the last 10 lines of standard input by default (a pipe)', args: [], stdin: { path: at('file.in'), how: 'pipe' } },
  { title: 'the last 10 lines of standard input by default (a file)', args: ['-'], stdin: { path: at('file.in'), how: 'redirect' } },
  { title: 'the last 10 lines of standard input by default, among files', args: [at('foo'), '-'], stdin: { path: at('file.in'), how: 'pipe' } },
  // Not from a script: an operand that is neither a file nor a FIFO, and cannot be opened.
  { title: 'a socket cannot be opened: no header, GNU words', args: [at('sock')] },
  { title: 'a socket among files', args: ['-n1', at('foo'), at('sock'), at('bar')] },
];

const runs = CASES.map((c) => ({
  c,
  gnu: gnu.add({ argv: c.args, ...(c.stdin && { stdin: c.stdin }) }),
  ours: ours.add({ argv: [...(c.follows ? [] : ['--no-follow']), ...c.args], ...(c.stdin && { stdin: c.stdin }) }),
}));

describe('coreutils tests/tail/*.sh without following, GNU 9.1 and tail-async side by side', () => {
  it.each(runs.map((r) => [r.c.title, r] as const))('%s', async (_title, run) => {
    const expected: Outcome = await run.gnu;
    const actual = await run.ours;
    expectOutcome(actual, expected);
  });

  it('prints what /proc/version ends with while following it, then waits (as GNU does) until told to stop', async () => {
    const { child, out, exited } = spawnCli(['-n1', '-s', '0.05', '/proc/version']);
    await waitFor(() => out.stdout.length > 0, 'the line of /proc/version');
    // Still running, and quiet: a size of 0 is no truncation (it was said at every look, 20 a second here).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(out.status).toBeUndefined();
    child.kill('SIGTERM');
    await exited;
    expect(out).toMatchObject({ stdout: expect.stringMatching(/^Linux version .*\n$/), stderr: '', status: 143 });
  });
});
