/**
 * Runs one churn case: a follower (the library in this process, or the command as a child process)
 * follows `app.log` from its end while writer.mjs, in a process of its own, churns the name without ever
 * waiting for it. Then the output is checked against the writer's manifest (check.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, type Manifest, type Verdict } from './check.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WRITER = path.join(HERE, 'writer.mjs');
export const REPO = path.resolve(HERE, '../../..');

/** Grace period given to the follower for files that left the name (its `rotateWait`). */
const ROTATE_WAIT_MS = 250;
/** After the last expected line, the output must stay unchanged this long (duplicates would show). */
const QUIET_MS = ROTATE_WAIT_MS + 250;
/**
 * How long the follower may go without printing a line while lines are still to come, once the writer is
 * done. A follower starved of CPU (the starved mode, on a loaded machine) may still be working through a
 * backlog of held files when a fixed deadline expires: that is slowness, not loss, and it would show as
 * every line after some point missing. So the wait ends when the follower stops making progress, not at a
 * fixed time: a lost generation never comes, and the output then stands still.
 */
const DEADLINE_MS = 15_000;
/** The longest the wait for every line may take in all, however steadily lines come. */
const CATCH_UP_CAP_MS = 120_000;

export interface CaseOptions {
  readonly seed: number;
  readonly steps: number;
  /** Longest pause between two writer actions, ms. */
  readonly maxGap?: number;
}

export interface CaseResult {
  /** The temp directory the case ran in (removed since). */
  readonly dir: string;
  readonly manifest: Manifest;
  readonly output: string[];
  readonly notices: string[];
  readonly verdict: Verdict;
}

/** What follows the file: lines go to `onLine`, notices to `onNotice`; `stop()` ends it. */
interface Follower {
  stop(): Promise<void>;
}

type Start = (file: string, onLine: (text: string) => void, onNotice: (message: string) => void) => Promise<Follower>;

/** The library, as `tail(file, { start: { lines: 0 } })` (from `module`, default this checkout's src). */
export function libraryFollower(module = path.join(REPO, 'src/index.ts')): Start {
  return async (file, onLine, onNotice) => {
    const { tail } = (await import(module)) as typeof import('../../../src/index.js');
    const stream = tail(file, { start: { lines: 0 }, rotateWait: ROTATE_WAIT_MS, onNotice: (n) => onNotice(n.message) });
    await stream.open();
    const loop = (async () => {
      for await (const batch of stream.batches()) for (const line of batch) onLine(line.text);
    })();
    return {
      async stop() {
        await stream.close();
        await loop;
      },
    };
  };
}

/** The command, `tail-async -n 0 FILE` (raw output: block mode), from `bin`. */
export function commandFollower(bin = path.join(REPO, 'bin/tail-async.js')): Start {
  return async (file, onLine, onNotice) => {
    const child = spawn(process.execPath, [bin, '-n', '0', '--rotate-wait', String(ROTATE_WAIT_MS / 1000), file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Ready once a line written now comes out: the command has opened the file and is following it.
    let ready = false;
    eachLine(child, 'stdout', (text) => {
      if (ready) onLine(text);
      else if (text === WARMUP) ready = true;
    });
    eachLine(child, 'stderr', onNotice);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    await waitUntil(async () => {
      if (!ready) await writeFile(file, `${WARMUP}\n`, { flag: 'a' });
      return ready;
    }, 'the command to follow the file', 10_000, 200);
    return {
      async stop() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  };
}

function eachLine(proc: ChildProcess, which: 'stdout' | 'stderr', fn: (text: string) => void): void {
  let held = '';
  proc[which]!.setEncoding('utf8');
  proc[which]!.on('data', (chunk: string) => {
    const parts = (held + chunk).split('\n');
    held = parts.pop()!;
    for (const part of parts) fn(part);
  });
}

const WARMUP = 'warmup';

/** Runs one case with the given follower and returns the verdict. */
export async function runCase(start: Start, options: CaseOptions): Promise<CaseResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tail-async-churn-'));
  const file = path.join(dir, 'app.log');
  const output: string[] = [];
  const notices: string[] = [];
  let follower: Follower | undefined;
  try {
    await writeFile(file, '');
    follower = await start(file, (text) => text !== WARMUP && output.push(text), (message) => notices.push(message));
    const manifest = await runWriter(dir, options);
    const expected = new Set(manifest.lines.map((l) => l.text));
    const count = () => output.filter((t) => expected.has(t)).length;
    await waitWhileProgressing(() => count() >= expected.size || unseenCovered(), () => output.length, DEADLINE_MS, CATCH_UP_CAP_MS).catch(() => {});
    // Then quiet: nothing more may come (a duplicate, a late drain).
    let last = output.length;
    let since = Date.now();
    await waitUntil(() => {
      if (output.length !== last) {
        last = output.length;
        since = Date.now();
      }
      return Date.now() - since >= QUIET_MS;
    }, 'quiet output', DEADLINE_MS, 20);
    await follower.stop();
    follower = undefined;
    return { dir, manifest, output, notices, verdict: check(manifest, output, notices) };

    function unseenCovered(): boolean {
      // Lines of generations deleted unseen never come: stop waiting once all the others are out.
      const verdict = check(manifest, output, notices);
      return verdict.lost.length === 0 && verdict.unseen.length > 0;
    }
  } finally {
    await follower?.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

function runWriter(dir: string, options: CaseOptions): Promise<Manifest> {
  return new Promise((resolve, reject) => {
    const args = [WRITER, dir, String(options.seed), String(options.steps), String(options.maxGap ?? 30)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`writer exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out) as Manifest);
      } catch (error) {
        reject(new Error(`writer printed no manifest: ${String(error)}: ${err}`));
      }
    });
  });
}

/** Waits for `ok`, for as long as `progress()` keeps changing within `stallMs` (and `capMs` in all). */
async function waitWhileProgressing(ok: () => boolean, progress: () => number, stallMs: number, capMs: number): Promise<void> {
  const cap = Date.now() + capMs;
  let seen = progress();
  let deadline = Date.now() + stallMs;
  for (;;) {
    if (ok()) return;
    const now = Date.now();
    if (progress() !== seen) {
      seen = progress();
      deadline = now + stallMs;
    }
    if (now > deadline || now > cap) throw new Error(`no progress for ${stallMs} ms (or ${capMs} ms in all) waiting for every line`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitUntil(ok: () => boolean | Promise<boolean>, what: string, ms: number, every: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** A CPU-burning neighbour process (one busy loop per core), so that the follower gets starved. */
export function burnCpu(processes = os.availableParallelism()): () => void {
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
  );
  return () => {
    for (const child of children) child.kill('SIGKILL');
  };
}
