/**
 * GNU tail and tail-async run side by side, for the follow scenarios of coreutils' shell tests: each in a
 * temp directory of its own, with the same arguments, the same steps done in both directories, waits (with
 * a deadline) for a state both must reach, and a comparison of what each printed: stdout byte for byte,
 * stderr with the program's name at the start of a line made `tail: `, and the exit status (a signal's as
 * the shell gives it, 128 + its number).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import os, { constants } from 'node:os';
import path from 'node:path';
import { expect, type TestContext } from 'vitest';
import { GNU_TAIL } from './batch.js';
import { BIN, unprivileged } from './spawn.js';
import { waitFor } from './wait.js';

/** How long a state may take to come, at this machine's load: a deadline, not a sleep. */
export const DEADLINE_MS = 10_000;

/** One of the two programs, running in its directory. */
export interface Side {
  readonly name: 'GNU tail' | 'tail-async';
  readonly dir: string;
  readonly child: ChildProcess;
  /** What it printed so far (stderr with `tail: ` for its name), and its status once it ended. */
  readonly out: { stdout: string; stderr: string; status: number | undefined };
  readonly exited: Promise<number>;
  /** A path in its directory. */
  at(name: string): string;
  /** Run on a terminal of its own, by `script`. */
  readonly tty: boolean;
}

export interface PairOptions {
  /** GNU's arguments; tail-async's too, unless `ours` is given. */
  readonly args: readonly string[];
  readonly ours?: readonly string[];
  /** Makes the files of the scenario, in each directory, before the programs start. */
  readonly prepare?: (dir: string) => void;
  /**
   * Standard input: nothing (/dev/null, the default), a file of the directory (`< name`; `at` bytes of it
   * already read, as a caller that read some and handed it on), a pipe the test writes to, or closed (`<&-`).
   */
  readonly stdin?: { file: string; at?: number } | 'pipe' | 'closed';
  /** Standard output: a pipe the test reads (default), a file of the directory (`> name`), or closed (`>&-`). */
  readonly stdout?: { file: string } | 'closed';
  /** File permissions apply (also as root: see `unprivileged`). */
  readonly unprivileged?: boolean;
  /**
   * Run on a terminal of its own (util-linux `script`): standard input, output and error are that
   * terminal, and what it shows comes out as stdout (stderr empty).
   */
  readonly tty?: boolean;
  /**
   * A bash command line around the program, which stands in it as `TAIL` (quoted arguments and all):
   * `'TAIL | head -n2'` gives the program a real pipe (Node's are socket pairs).
   */
  readonly shell?: string;
}

const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', TZ: 'UTC', NO_COLOR: '1', TERM: 'dumb' };
  delete e.POSIXLY_CORRECT;
  delete e._POSIX2_VERSION;
  return e;
};

/** `tail: ` for the program's name at the start of each line of its stderr. */
const PROGRAM = /^(?:\/usr\/bin\/tail|tail-async|tail): /gm;
const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Moves `fd`'s offset `bytes` on, by reading them. */
function readFrom(fd: number, bytes: number): number {
  if (bytes > 0) readSync(fd, Buffer.alloc(bytes), 0, bytes, null);
  return fd;
}

function launch(name: Side['name'], argv: readonly string[], dir: string, o: PairOptions): Side {
  let [command, args] = unprivileged(argv[0]!, argv.slice(1));
  if (!o.unprivileged) [command, args] = [argv[0]!, argv.slice(1)];
  // Closed descriptors need a shell: Node cannot start a child with one.
  const redirects = `${o.stdin === 'closed' ? ' <&-' : ''}${o.stdout === 'closed' ? ' >&-' : ''}`;
  if (redirects) [command, args] = ['/bin/sh', ['-c', `exec "$0" "$@"${redirects}`, command, ...args]];
  if (o.tty) [command, args] = ['script', ['-qec', [command, ...args].map(shQuote).join(' '), '/dev/null']];
  if (o.shell) [command, args] = ['bash', ['-c', o.shell.replace('TAIL', [command, ...args].map(shQuote).join(' '))]];
  const fds: number[] = [];
  const fileFd = (file: string, flags: string) => {
    const fd = openSync(path.join(dir, file), flags);
    fds.push(fd);
    return fd;
  };
  const stdio: StdioOptions = [
    // `script` ends its terminal's input at the end of its own: it gets a pipe that stays open.
    typeof o.stdin === 'object' ? readFrom(fileFd(o.stdin.file, 'r'), o.stdin.at ?? 0) : o.stdin === 'pipe' || o.tty ? 'pipe' : 'ignore',
    typeof o.stdout === 'object' ? fileFd(o.stdout.file, 'w') : 'pipe',
    'pipe',
  ];
  const child = spawn(command, args, { cwd: dir, env: env(), stdio });
  for (const fd of fds) closeSync(fd);
  const out: Side['out'] = { stdout: '', stderr: '', status: undefined };
  // On a terminal, stderr comes out with stdout.
  child.stdout?.setEncoding('latin1').on('data', (d: string) => (out.stdout = o.tty ? (out.stdout + d).replace(PROGRAM, 'tail: ') : out.stdout + d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr = (out.stderr + d).replace(PROGRAM, 'tail: ')));
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      out.status = code ?? 128 + (signal ? constants.signals[signal] : 0);
      resolve(out.status);
    }),
  );
  return { name, dir, child, out, exited, at: (file) => path.join(dir, file), tty: o.tty === true };
}

/**
 * GNU tail and tail-async, started at the same time on the same scenario. Made within a test (which may
 * run concurrently with others): what it started is killed, and its directories removed, when that test
 * is finished.
 */
export class Pair {
  readonly gnu: Side;
  readonly ours: Side;

  private constructor(gnu: Side, ours: Side) {
    this.gnu = gnu;
    this.ours = ours;
  }

  static start(t: TestContext, o: PairOptions): Pair {
    const dirs = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), 'tail-async-gnu-pair-'))) as [string, string];
    for (const dir of dirs) o.prepare?.(dir);
    const pair = new Pair(launch('GNU tail', [GNU_TAIL, ...o.args], dirs[0], o), launch('tail-async', [process.execPath, BIN, ...(o.ours ?? o.args)], dirs[1], o));
    t.onTestFinished(() => {
      for (const { child } of pair.sides) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    return pair;
  }

  get sides(): readonly Side[] {
    return [this.gnu, this.ours];
  }

  /** Does `step` in both directories. */
  step(step: (at: (name: string) => string, side: Side) => void): void {
    for (const side of this.sides) step(side.at, side);
  }

  /** Waits until both sides are in the state `check` looks for. */
  async until(check: (side: Side) => boolean, what: string, ms = DEADLINE_MS): Promise<void> {
    await Promise.all(this.sides.map((side) => waitFor(() => check(side), () => `${what} (${side.name}: ${JSON.stringify(side.out)})`, ms, 10)));
  }

  /** Does `step` in both directories, then waits until both show `check`'s state (GNU's check_tail_output). */
  async both(step: (at: (name: string) => string, side: Side) => void, check: (side: Side) => boolean, what: string): Promise<void> {
    this.step(step);
    await this.until(check, what);
  }

  /** Both ended by themselves (within the deadline). */
  async ended(what = 'the end'): Promise<void> {
    await this.until((side) => side.out.status !== undefined, what);
  }

  /**
   * Gives them `ms` (the one fixed wait here: what must not happen can only be given time to), then
   * expects `sides` (both by default) still running.
   */
  async runFor(ms: number, sides: readonly Side[] = this.sides): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    for (const side of sides) expect(side.out.status, `${side.name} is still running (${JSON.stringify(side.out)})`).toBeUndefined();
  }

  /** Both still running. */
  expectRunning(): void {
    for (const side of this.sides) expect(side.out.status, `${side.name} is still running (${JSON.stringify(side.out)})`).toBeUndefined();
  }

  /**
   * Ends both with `signal` (GNU's cleanup_: kill $pid), and waits for their ends. On a terminal, `script`
   * is killed (SIGKILL: it would say so on a SIGTERM), and the program with it, by the SIGHUP of its
   * terminal.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    for (const side of this.sides) if (side.out.status === undefined) side.child.kill(side.tty ? 'SIGKILL' : signal);
    await this.ended(`the end after ${signal}`);
  }

  /**
   * The same stdout, stderr and status on both sides (stopped first, if still running); or, for a
   * documented difference, what `documented` makes of GNU's.
   */
  async expectSame(documented: (gnu: Side['out']) => Side['out'] = (gnu) => gnu): Promise<void> {
    await this.stop();
    expect(this.ours.out).toEqual(documented({ ...this.gnu.out }));
  }

  /**
   * As {@link expectSame}, with stderr compared line for line in any order: for a scenario in which GNU's
   * own order of two notices depends on the poll pass each change is first seen in.
   */
  async expectSameNoticesInAnyOrder(): Promise<void> {
    await this.stop();
    const sorted = (out: Side['out']) => ({ ...out, stderr: out.stderr.split('\n').sort().join('\n') });
    expect(sorted(this.ours.out)).toEqual(sorted(this.gnu.out));
  }
}

/**
 * A process of the test's own (a `sleep`), for --pid: killed, if still running, when the test is finished.
 */
export function sleeper(t: TestContext): ChildProcess {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** The state letter of a process (`S` sleeping, `R` running…), from /proc; undefined once it is gone. */
export function processState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Lines of a file of a side's directory (stdout redirected there), or '' when it is not there yet. */
export function contentOf(side: Side, file: string): string {
  try {
    return readFileSync(side.at(file), 'latin1');
  } catch {
    return '';
  }
}

/** Output shows `data` (lines) right after the header of `file`, as F-vs-rename.sh greps it. */
export const showsUnder = (file: string, data: string) => (side: Side) => side.out.stdout.includes(`==> ${file} <==\n${data}\n`);
/** Stdout has the line. */
export const hasLine = (line: string) => (side: Side) => `\n${side.out.stdout}`.includes(`\n${line}\n`);
/** Stderr says it. */
export const says = (text: string) => (side: Side) => side.out.stderr.includes(text);
