/**
 * The command shipping to a real engine, in the situations of issue 12: killed with SIGKILL and
 * restarted, the engine stopped for 3 s, the engine never there, the engine frozen. Each scenario runs
 * against an {@link Engine} (Redis or NATS, test/sinks/command-*.test.ts) and returns what it saw.
 */
import { readFileSync } from 'node:fs';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './fs.js';
import { spawnCli, type Spawned } from './spawn.js';
import { waitFor } from './wait.js';
import { startWriter } from './writer.js';
import type { Server } from './servers.js';

/** An engine under test: its server, the `--sink` URL, the line texts it holds (in its order), and how many (cheaply). */
export interface Engine {
  readonly server: Server;
  url(): string;
  texts(): Promise<string[]>;
  count(): Promise<number>;
}

const line = (n: number) => `line ${String(n).padStart(6, '0')}`;

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, '');
  const state = path.join(dir, 'state.json');
  return { dir, file, state };
}

/** The offset the state file holds for its one file (0 before anything was delivered). */
function savedOffset(state: string): number {
  try {
    const { entries } = JSON.parse(readFileSync(state, 'utf8')) as { entries: Array<{ offset: number }> };
    return entries[0]?.offset ?? 0;
  } catch {
    return -1;
  }
}

/** Starts the command shipping `file` from its first line, and waits until it has opened it (the state file is written). */
async function ship(engine: Engine, file: string, state: string): Promise<Spawned> {
  const run = spawnCli(['--sink', engine.url(), '--state-file', state, '-n', '+1', file]);
  await waitFor(() => savedOffset(state) >= 0 || run.out.status !== undefined, () => `the command to start (stderr: ${run.out.stderr})`, 10_000);
  if (run.out.status !== undefined) throw new Error(`the command ended with ${run.out.status}: ${run.out.stderr}`);
  return run;
}

async function stopRun(run: Spawned): Promise<void> {
  run.child.kill('SIGTERM');
  await run.exited;
}

/** Polls until the engine holds every line of 1…total (the message tells what it holds when it does not). */
async function waitForAll(engine: Engine, total: number, run: Spawned): Promise<void> {
  let last = tally([], total);
  await waitFor(
    async () => (await engine.count()) >= total && (last = tally(await engine.texts(), total)).missing === 0,
    () => `every line (${JSON.stringify(last)}; stderr: ${run.out.stderr})`,
    20_000,
    100,
  );
}

/** What the engine holds of lines 1…total: how many are missing, and how many are there more than once. */
function tally(texts: readonly string[], total: number) {
  const seen = new Set(texts);
  const missing = Array.from({ length: total }, (_, i) => line(i + 1)).filter((t) => !seen.has(t));
  const inOrder = texts.every((t, i) => i === 0 || t > texts[i - 1]!);
  return { stored: texts.length, missing: missing.length, duplicates: texts.length - seen.size, inOrder };
}

/**
 * `kill -9` of the command mid-stream (once it saved a position past acknowledged lines), then a restart:
 * every line must be in the engine; duplicates are counted. One command per engine (mode), all on the same file, killed
 * and restarted together.
 */
export async function killAndRestart(engines: readonly Engine[], total: number, perTick: number) {
  const { dir, file } = await setup();
  const states = engines.map((_, i) => path.join(dir, `state-${i}.json`));
  const first = await Promise.all(engines.map((engine, i) => ship(engine, file, states[i]!)));
  const written = startWriter(file, total, perTick);
  // Under way: each run has saved a position past lines the engine acknowledged.
  await waitFor(() => states.every((state) => savedOffset(state) > 0), 'the first runs to have saved what the engine acknowledged', 20_000, 10);
  for (const run of first) run.child.kill('SIGKILL');
  await Promise.all(first.map((run) => run.exited));
  const killedAt = await Promise.all(engines.map((engine) => engine.count()));
  const second = await Promise.all(engines.map((engine, i) => ship(engine, file, states[i]!)));
  await written;
  await Promise.all(engines.map((engine, i) => waitForAll(engine, total, second[i]!)));
  await Promise.all(second.map(stopRun));
  return Promise.all(
    engines.map(async (engine, i) => ({ ...tally(await engine.texts(), total), killedAt: killedAt[i]!, stderr: first[i]!.out.stderr + second[i]!.out.stderr, status: second[i]!.out.status })),
  );
}

/** The engine stopped for 3 s while the command ships a writer's lines, then started again. */
export async function outage(engine: Engine, total: number, perTick: number) {
  const { file, state } = await setup();
  const run = await ship(engine, file, state);
  const written = startWriter(file, total, perTick);
  await waitFor(async () => (await engine.count()) >= total / 4, 'a quarter of the lines', 20_000, 20);
  await engine.server.stop();
  const stoppedAt = Date.now();
  await waitFor(() => /reading paused/.test(run.out.stderr), 'the command to say the engine is down', 10_000, 20);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3_000 - (Date.now() - stoppedAt))));
  await engine.server.start();
  await written;
  await waitForAll(engine, total, run);
  await stopRun(run);
  return { ...tally(await engine.texts(), total), stderr: run.out.stderr, status: run.out.status };
}

/** A run that ships a file, then the engine gone for good: the next run must fail at once and leave the state file alone. */
export async function neverReachable(engine: Engine) {
  const { file, state } = await setup();
  await writeFile(file, `${line(1)}\n${line(2)}\n`);
  const good = spawnCli(['--sink', engine.url(), '--state-file', state, '-n', '+1', '--no-follow', file]);
  await good.exited;
  if (good.out.status !== 0) throw new Error(`the first run failed: ${good.out.stderr}`);
  const before = await readFile(state);
  await engine.server.stop();
  await appendFile(file, `${line(3)}\n`);
  const started = Date.now();
  const run = spawnCli(['--sink', engine.url(), '--state-file', state, file]);
  await run.exited;
  return { status: run.out.status, stderr: run.out.stderr, stdout: run.out.stdout, ms: Date.now() - started, stateUnchanged: before.equals(await readFile(state)), lockLeft: await stat(state + '.lock').then(() => true, () => false) };
}

/** Resident memory of a process, from /proc (bytes). */
function rss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

/** Bytes a process read through read(2) and the like, from /proc. */
function bytesRead(pid: number): number {
  return Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
}

/**
 * The engine frozen (SIGSTOP) while `mb` MB of 1 KiB lines are appended: the command must stop reading
 * and keep its memory; once the engine goes on (SIGCONT), every line must arrive.
 */
export async function stalled(engine: Engine, mb: number) {
  const { file, state } = await setup();
  const run = await ship(engine, file, state);
  const pid = run.child.pid!;
  const count = mb * 1024;
  const body = 'x'.repeat(1024 - 12);
  const lines = Array.from({ length: count }, (_, i) => `${line(i + 1)} ${body}`);
  await appendFile(file, `${lines[0]}\n`);
  await waitFor(async () => (await engine.count()) === 1, 'the first line', 10_000, 20);
  const rssBefore = rss(pid);
  const readBefore = bytesRead(pid);
  engine.server.pause();
  let peak = rssBefore;
  const sample = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
  try {
    for (let i = 1; i < count; i += 4096) await appendFile(file, lines.slice(i, i + 4096).join('\n') + '\n');
    // Long enough for a reader that did not stop to read it all (it reads ~200 MB/s).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } finally {
    clearInterval(sample);
    engine.server.resume();
  }
  const readWhileStalled = bytesRead(pid) - readBefore;
  let stored = 0;
  await waitFor(async () => (stored = await engine.count()) >= count, () => `every line after the engine went on (have ${stored} of ${count})`, 30_000, 50);
  const texts = await engine.texts();
  await stopRun(run);
  return { rssBefore, peak, readWhileStalled, fileBytes: (await stat(file)).size, stored: texts.length, complete: texts.every((t, i) => t === lines[i]), stderr: run.out.stderr };
}
