/**
 * Runs many command lines of one program through a single /bin/sh script, so that they run alongside the
 * tests instead of before them: starting a process costs ~10–15 ms here, whoever spawns it, and a spawn
 * blocks Node's event loop (libuv waits for the exec), so spawning each from the test would serialise
 * everything. Cases are added while the tests are collected (each gets a promise of its outcome), the
 * script starts in beforeAll, and each test awaits its case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

/** GNU coreutils tail, installed here as 9.1. */
export const GNU_TAIL = '/usr/bin/tail';

/** C locale (GNU quotes names with ASCII quotes, as we do), and neither POSIX mode nor version. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  delete env.POSIXLY_CORRECT;
  delete env._POSIX2_VERSION;
  return env;
}

/** One command line: arguments, variables set for it, and where its standard input comes from. */
export interface BatchCase {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A file given as standard input, redirected (`<`, a seekable file), the same after the shell read its
   * first line (`sh -c 'read x; tail' < FILE`), or through a pipe (`cat FILE |`); default /dev/null.
   */
  readonly stdin?: { readonly path: string; readonly how: 'redirect' | 'after-first-line' | 'pipe' };
}

/** How one command line ended. */
export interface Outcome {
  readonly status: number;
  readonly stdout: Buffer;
  /** Standard error, with the program's name at the start of a line turned into `tail-async: `. */
  readonly stderr: string;
}

const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * A batch of command lines of `program` (its argv prefix), run from the directory given to {@link start}.
 * `name` is what the program calls itself on stderr; each command is ended after `timeoutSeconds`.
 */
export class Batch {
  private readonly program: readonly string[];
  private readonly name: string;
  private readonly cases: BatchCase[] = [];
  private readonly outcomes: Array<{ promise: Promise<Outcome>; resolve(o: Outcome): void; reject(e: Error): void }> = [];
  private child: ChildProcess | undefined;

  constructor(program: readonly string[], name: string, timeoutSeconds = 20) {
    // A command that hangs is ended (status 124) rather than holding up the rest of the batch.
    this.program = ['timeout', '-k', '1', String(timeoutSeconds), ...program];
    this.name = name;
  }

  /** Adds a case (at collection time); its outcome settles once the script got through it. */
  add(c: BatchCase): Promise<Outcome> {
    this.cases.push(c);
    let resolve!: (o: Outcome) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<Outcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // a case whose test did not run (filtered out) must not be an unhandled rejection
    this.outcomes.push({ promise, resolve, reject });
    return promise;
  }

  /** Writes the script into `dir` and starts it. */
  start(dir: string): void {
    const out = path.join(dir, `batch-${path.basename(this.program.at(-1)!)}`);
    mkdirSync(out, { recursive: true });
    const files = (id: number) => ({ out: path.join(out, `${id}.out`), err: path.join(out, `${id}.err`) });
    const lines = this.cases.map((c, id) => {
      const vars = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${shQuote(v)} `).join('');
      const argv = [...this.program, ...c.argv].map(shQuote).join(' ');
      const redirects = `>${shQuote(files(id).out)} 2>${shQuote(files(id).err)}`;
      const command =
        c.stdin?.how === 'pipe'
          ? `cat ${shQuote(c.stdin.path)} | ${vars}${argv} ${redirects}`
          : c.stdin?.how === 'after-first-line'
            ? `{ read -r x; ${vars}${argv} ${redirects}; } <${shQuote(c.stdin.path)}`
            : `${vars}${argv} <${shQuote(c.stdin?.path ?? '/dev/null')} ${redirects}`;
      return `${command}; echo ${id} $?`;
    });
    const script = path.join(out, 'run.sh');
    writeFileSync(script, lines.join('\n') + '\n');
    const child = spawn('/bin/sh', [script], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    const prefix = new RegExp(`^${this.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `, 'gm');
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const [id, status] = pending.slice(0, nl).split(' ').map(Number) as [number, number];
        pending = pending.slice(nl + 1);
        const { out: outFile, err: errFile } = files(id);
        this.outcomes[id]!.resolve({ status, stdout: readFileSync(outFile), stderr: readFileSync(errFile, 'utf8').replace(prefix, 'tail-async: ') });
        rmSync(outFile);
        rmSync(errFile);
      }
    });
    const fail = (why: string) => this.outcomes.forEach((o) => o.reject(new Error(`${this.name} batch: ${why}`)));
    child.on('error', (error) => fail(error.message));
    // Settled cases ignore this; any left were never run.
    child.on('close', (status) => fail(`the script ended (status ${status}) before this case was run`));
  }

  /** Stops a script still running (only some tests were selected). */
  stop(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}

/**
 * GNU's outcome of a usage error as tail-async gives it (README, GNU differences): GNU's words, then our
 * hint instead of GNU's, and status 2 instead of 1.
 */
export function asUsageError(outcome: Outcome): Outcome {
  const words = outcome.stderr.replace(/^Try '.*' for more information\.\n/m, '');
  return { ...outcome, status: 2, stderr: `${words}Try 'tail-async --help' for more information.\n` };
}

/**
 * A directory for a file of batch tests, named now (cases are added with their paths while the tests are
 * collected): before the tests it is made, `prepare` fills it and the batches start in it; after them
 * they are stopped, `cleanup` runs and the directory is removed.
 */
export function batchDirectory(name: string, batches: readonly Batch[], prepare: (dir: string) => void, cleanup = () => {}): string {
  const dir = path.join(os.tmpdir(), `tail-async-${name}-${process.pid}-${randomUUID()}`);
  beforeAll(() => {
    mkdirSync(dir);
    prepare(dir);
    for (const batch of batches) batch.start(dir);
  });
  afterAll(() => {
    for (const batch of batches) batch.stop();
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Asserts that a run printed and ended as `expected` did: stdout byte for byte, stderr, status. */
export function expectOutcome(actual: { readonly stdout: Buffer; readonly stderr: string; readonly status: number | null }, expected: Outcome): void {
  expect(actual.stdout.toString('latin1'), 'stdout').toBe(expected.stdout.toString('latin1'));
  expect(actual.stderr, 'stderr').toBe(expected.stderr);
  expect(actual.status, 'exit status').toBe(expected.status);
}
