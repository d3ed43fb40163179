/**
 * Model-based test of the follow engine (follow by name, like `tail -F`) against a real file.
 *
 * A simulated writer appends unique lines to `app.log` through its own descriptor (opened with 'a', so
 * O_APPEND applies after a truncation) while fast-check drives rotations, truncations, deletions,
 * re-creations, reopens and pauses. The model records every byte written: which file generation (inode)
 * a line went to, at which offset, and whether a later truncation of that generation may have destroyed
 * it. After the run, every line the model says must survive has to come out exactly once, unmodified,
 * at its byte offset, in the order of its generation.
 *
 * Two rules keep the model exact rather than probabilistic; both are the engine's documented contract:
 * - A file that leaves the name is read for `rotateWait` after its last growth (DESIGN.md). A writer
 *   that keeps writing to such a file for longer loses lines by design, so the simulated writer reopens
 *   the name (as a logrotate `postrotate` signal would make it) once it has left the old file quiet for
 *   WRITE_BUDGET_MS, well within `rotateWait`.
 * - A file that was at the name only while the engine never looked cannot be followed by name, so a
 *   rotation or deletion first waits (poll, with a deadline) until the engine holds the file now at the
 *   name. Not seeing a new file within that deadline is itself a failure.
 * Lines may be written in two steps, also across a rotation or deletion (the rest goes through the old
 * descriptor). A writer that moves to the name with a line unfinished abandons it: the model then expects
 * its first part as a line of its own, without terminator, emitted when the engine closes the old file.
 * A partial line is finished before its file is truncated (the rest would land at offset 0 as a fragment).
 *
 * Environment: TAIL_ASYNC_MODEL_RUNS (runs per property, default 20); to replay a counterexample,
 * TAIL_ASYNC_MODEL_SEED and TAIL_ASYNC_MODEL_PATH (fast-check's seed and path) and
 * TAIL_ASYNC_MODEL_REPLAY (the replayPath printed with the commands).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { open, rename, truncate, unlink, writeFile, realpath, type FileHandle } from 'node:fs/promises';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { tail, type Line, type Notice } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { collect, waitFor } from '../helpers/wait.js';

const RUNS = positiveEnv('TAIL_ASYNC_MODEL_RUNS', 20);
const SEED = process.env.TAIL_ASYNC_MODEL_SEED ? Number(process.env.TAIL_ASYNC_MODEL_SEED) : undefined;
const PATH = process.env.TAIL_ASYNC_MODEL_PATH || undefined;
const REPLAY_PATH = process.env.TAIL_ASYNC_MODEL_REPLAY || undefined;

/** The engine's grace period for files that left the name. */
const ROTATE_WAIT_MS = 300;
/** A writer on a file that left the name reopens the name before it has left the file quiet this long. */
const WRITE_BUDGET_MS = 150;
/**
 * After every expected line is out, output must stay unchanged this long, and every file that left the
 * name must have been released (so its held partial line was flushed). Longer than two ticks of the
 * engine's retiring check (100 ms) and three of its trailing re-check (60 ms): extra lines those would
 * produce show here.
 */
const QUIET_MS = 200;
/** Deadline for the engine to deliver, to open a new file, or to settle. */
const DEADLINE_MS = 5_000;
const MAX_COMMANDS = 25;

// ---------------------------------------------------------------------------------------------------
// Model

interface Written {
  readonly text: string;
  readonly gen: Gen;
  /** Byte offset of the line's first byte in its generation, and just past its newline. */
  readonly offset: number;
  readonly end: number;
  /** Position among the lines written to its generation (0-based). */
  readonly index: number;
  /** Truncations of the generation before this line was started: only the last epoch must survive. */
  readonly epoch: number;
  /** For a line written in two steps: the characters written by the first. */
  cut?: number;
  /** The writer left the file before writing the rest: only `text.slice(0, cut)` exists. */
  abandoned?: boolean;
}

interface Gen {
  readonly id: number;
  readonly ino: number;
  readonly lines: Written[];
  /** Bytes in the file now (the writer is the only one appending). */
  size: number;
  truncations: number;
  /** When the file left the name (renamed away or deleted); undefined while it is at the name. */
  leftAt: number | undefined;
  /** When the writer last started a write to it. */
  lastWriteAt: number;
}

interface Model {
  readonly gens: Gen[];
  /** The generation `app.log` leads to now, if any. */
  atName: Gen | undefined;
  /** The generation the writer's descriptor is on. */
  writerOn: Gen;
  /** A line whose first `cut` characters are written (to `writerOn`) and the rest not yet. */
  partial: { line: Written; cut: number } | undefined;
  seq: number;
  rotations: number;
  readonly trace: string[];
  readonly t0: number;
}

interface Real {
  readonly dir: string;
  readonly file: string;
  writer: FileHandle;
  readonly out: ReturnType<typeof collect>;
  readonly notices: string[];
}

type Cmd = fc.AsyncCommand<Model, Real>;

function note(m: Model, what: string): void {
  m.trace.push(`${String(Date.now() - m.t0).padStart(5)}ms ${what}`);
}

function lineText(m: Model, gen: Gen, pad: number): string {
  // Unique, and long enough that a cut or a mixed-up read shows as text that was never written.
  return `g${gen.id}-${m.seq++}:${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(2).slice(0, pad)}`;
}

/** A new line of `gen`, starting after its bytes so far and `before` (written in the same call). */
function beginLine(gen: Gen, text: string, before = ''): Written {
  const offset = gen.size + Buffer.byteLength(before);
  const line: Written = { text, gen, offset, end: offset + Buffer.byteLength(text) + 1, index: gen.lines.length, epoch: gen.truncations };
  gen.lines.push(line);
  return line;
}

/** One write through the writer's descriptor, recorded in the model. */
async function append(m: Model, r: Real, data: string): Promise<void> {
  const gen = m.writerOn;
  gen.lastWriteAt = Date.now();
  const { bytesWritten } = await r.writer.write(data);
  if (bytesWritten !== Buffer.byteLength(data)) throw new Error(`short write: ${bytesWritten} of ${JSON.stringify(data)}`);
  gen.size += bytesWritten;
}

/** Writes the rest of the pending partial line and its newline. */
async function completePartial(m: Model, r: Real): Promise<void> {
  const p = m.partial;
  if (!p) return;
  if (p.line.gen !== m.writerOn) throw new Error('model invariant: a partial line is pending on a file the writer left');
  m.partial = undefined;
  note(m, `  complete ${p.line.text}`);
  await append(m, r, p.line.text.slice(p.cut) + '\n');
}

async function newGen(m: Model, handle: FileHandle): Promise<Gen> {
  const st = await handle.stat();
  const gen: Gen = { id: m.gens.length, ino: st.ino, lines: [], size: st.size, truncations: 0, leftAt: undefined, lastWriteAt: 0 };
  if (st.size !== 0) throw new Error(`model invariant: new file g${gen.id} is not empty`);
  m.gens.push(gen);
  return gen;
}

/**
 * True when the writer's file left the name and the writer left it quiet for WRITE_BUDGET_MS: the
 * engine may close it `rotateWait` after its last growth, so the writer must not write to it any more.
 */
function stale(m: Model): boolean {
  const gen = m.writerOn;
  return gen.leftAt !== undefined && Date.now() - Math.max(gen.leftAt, gen.lastWriteAt) > WRITE_BUDGET_MS;
}

/**
 * Moves the writer to the name (creating the file when missing). A pending partial line is finished
 * first when `finish` is set and the old file may still be written; otherwise it is abandoned: its
 * first part stays in the old file, and the engine emits it as a line without terminator on closing it.
 */
async function moveWriter(m: Model, r: Real, finish: boolean, why: string): Promise<void> {
  if (m.partial) {
    if (finish && !stale(m)) {
      await completePartial(m, r);
    } else {
      m.partial.line.abandoned = true;
      note(m, `  abandon ${JSON.stringify(m.partial.line.text.slice(0, m.partial.cut))} in g${m.writerOn.id}`);
      m.partial = undefined;
    }
  }
  const handle = await open(r.file, 'a');
  let gen = m.atName;
  if (gen === undefined) {
    gen = await newGen(m, handle);
    m.atName = gen;
  } else if ((await handle.stat()).ino !== gen.ino) {
    await handle.close();
    throw new Error(`model invariant: ${r.file} is not g${gen.id}`);
  }
  await r.writer.close();
  r.writer = handle;
  m.writerOn = gen;
  note(m, `  ${why}: writer now on g${gen.id} (ino ${gen.ino})`);
}

/** Before a write: a writer whose old file went stale reopens the name (as a postrotate signal would make it). */
async function reopenIfStale(m: Model, r: Real): Promise<void> {
  if (stale(m)) await moveWriter(m, r, false, 'auto-reopen (old file quiet too long)');
}

/** Inodes of files in `dir` the engine holds open (every descriptor under `dir` but the writer's). */
function engineInodes(r: Real): number[] {
  const inos: number[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    if (Number(fd) === r.writer.fd) continue;
    try {
      if (!readlinkSync(`/proc/self/fd/${fd}`).startsWith(r.dir + path.sep)) continue;
      inos.push(statSync(`/proc/self/fd/${fd}`).ino);
    } catch {
      // closed while we looked
    }
  }
  return inos;
}

/** Waits until the engine holds the file now at the name: only then may it leave the name. */
async function engineSeesName(m: Model, r: Real): Promise<void> {
  const gen = m.atName!;
  await waitFor(() => engineInodes(r).includes(gen.ino), `the engine to open g${gen.id} (ino ${gen.ino}) at ${r.file}`, DEADLINE_MS);
}

// ---------------------------------------------------------------------------------------------------
// Commands

class WriteLine implements Cmd {
  constructor(readonly pad: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    await reopenIfStale(m, r);
    const rest = m.partial ? m.partial.line.text.slice(m.partial.cut) + '\n' : '';
    if (m.partial) note(m, `  complete ${m.partial.line.text}`);
    m.partial = undefined;
    const line = beginLine(m.writerOn, lineText(m, m.writerOn, this.pad), rest);
    note(m, `writeLine ${line.text} -> g${line.gen.id}`);
    await append(m, r, rest + line.text + '\n');
  }
  toString = (): string => `writeLine(${this.pad})`;
}

/** Writes the first part of a new line (finishing a pending one first); a later write finishes it. */
class WritePartial implements Cmd {
  constructor(
    readonly pad: number,
    readonly cutSeed: number,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    await reopenIfStale(m, r);
    const rest = m.partial ? m.partial.line.text.slice(m.partial.cut) + '\n' : '';
    if (m.partial) note(m, `  complete ${m.partial.line.text}`);
    const line = beginLine(m.writerOn, lineText(m, m.writerOn, this.pad), rest);
    const cut = 1 + (this.cutSeed % (line.text.length - 1));
    line.cut = cut;
    m.partial = { line, cut };
    note(m, `writePartial ${JSON.stringify(line.text.slice(0, cut))} of ${line.text} -> g${line.gen.id}`);
    await append(m, r, rest + line.text.slice(0, cut));
  }
  toString = (): string => `writePartial(${this.pad},${this.cutSeed})`;
}

/** `mv app.log app.log.N && touch app.log`; the writer stays on the old file (even mid-line) until it reopens. */
class RenameRotate implements Cmd {
  check = (m: Readonly<Model>): boolean => m.atName !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    await engineSeesName(m, r);
    const old = m.atName!;
    const to = `${r.file}.${++m.rotations}`;
    old.leftAt = Date.now();
    await rename(r.file, to);
    m.atName = undefined;
    const handle = await open(r.file, 'wx');
    try {
      m.atName = await newGen(m, handle);
    } finally {
      await handle.close();
    }
    note(m, `rotate g${old.id} -> ${path.basename(to)}; new g${m.atName.id} (ino ${m.atName.ino}) at name; writer on g${m.writerOn.id}`);
  }
  toString = (): string => 'rotate';
}

/** The writer reopens the name (logrotate's postrotate signal), finishing or abandoning a pending partial line. */
class Reopen implements Cmd {
  constructor(readonly finish: boolean) {}
  check = (m: Readonly<Model>): boolean => m.atName !== undefined && m.writerOn !== m.atName;
  async run(m: Model, r: Real): Promise<void> {
    note(m, `reopen(${this.finish ? 'finish' : 'abandon'})`);
    await moveWriter(m, r, this.finish, 'reopen');
  }
  toString = (): string => `reopen(${this.finish})`;
}

/**
 * `truncate -s 0 app.log` (copytruncate): the writer appends at the new end through O_APPEND. A partial
 * line in that file is finished first (its tail after the truncation would be a fragment the engine
 * cannot tell from garbage).
 */
class Truncate implements Cmd {
  check = (m: Readonly<Model>): boolean => m.atName !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    if (m.partial?.line.gen === m.atName) await completePartial(m, r);
    const gen = m.atName!;
    await truncate(r.file, 0);
    gen.size = 0;
    gen.truncations++;
    note(m, `truncate g${gen.id}`);
  }
  toString = (): string => 'truncate';
}

/** `rm app.log`; the writer keeps its descriptor (even mid-line). */
class Delete implements Cmd {
  check = (m: Readonly<Model>): boolean => m.atName !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    await engineSeesName(m, r);
    const gen = m.atName!;
    gen.leftAt = Date.now();
    await unlink(r.file);
    m.atName = undefined;
    note(m, `delete g${gen.id}; writer on g${m.writerOn.id}`);
  }
  toString = (): string => 'delete';
}

/** The name is missing: the writer creates it and moves there, finishing or abandoning a partial line. */
class Recreate implements Cmd {
  constructor(readonly finish: boolean) {}
  check = (m: Readonly<Model>): boolean => m.atName === undefined;
  async run(m: Model, r: Real): Promise<void> {
    note(m, `recreate(${this.finish ? 'finish' : 'abandon'})`);
    await moveWriter(m, r, this.finish, 'recreate');
  }
  toString = (): string => `recreate(${this.finish})`;
}

class Pause implements Cmd {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  async run(m: Model): Promise<void> {
    note(m, `pause ${this.ms}ms`);
    await new Promise((resolve) => setTimeout(resolve, this.ms));
  }
  toString = (): string => `pause(${this.ms})`;
}

const writeLineArb = fc.nat(30).map((pad): Cmd => new WriteLine(pad));
const writePartialArb = fc.tuple(fc.nat(30), fc.nat(1000)).map(([pad, cut]): Cmd => new WritePartial(pad, cut));
const simple = (make: () => Cmd) => fc.constant(null).map(make);
const reopenArb = fc.boolean().map((finish): Cmd => new Reopen(finish));
const recreateArb = fc.boolean().map((finish): Cmd => new Recreate(finish));
const pauseArb = fc.integer({ min: 0, max: 120 }).map((ms): Cmd => new Pause(ms));

function commandArbs(withTruncate: boolean): fc.Arbitrary<Cmd>[] {
  const arbs = [
    writeLineArb,
    writeLineArb,
    writeLineArb,
    writePartialArb,
    simple(() => new RenameRotate()),
    reopenArb,
    reopenArb,
    simple(() => new Delete()),
    recreateArb,
    recreateArb,
    pauseArb,
    pauseArb,
  ];
  if (withTruncate) arbs.push(simple(() => new Truncate()), simple(() => new Truncate()));
  return arbs;
}

// ---------------------------------------------------------------------------------------------------
// A run: set up, apply commands, settle, check

interface World {
  model: Model;
  real: Real;
}

async function startWorld(): Promise<World> {
  const dir = await realpath(await tempDir());
  const file = path.join(dir, 'app.log');
  await writeFile(file, '');
  const notices: string[] = [];
  const t0 = Date.now();
  const stream = tail(file, {
    start: { fromLine: 1 },
    rotateWait: ROTATE_WAIT_MS,
    onNotice: (n: Notice) => notices.push(`${String(Date.now() - t0).padStart(5)}ms ${n.type}: ${n.message}`),
  });
  const out = collect(stream);
  // Nothing is written before the engine holds the first file: a rotation before it opened anything
  // would rightly make it start on the new file.
  const placeholder = { dir, file, out, notices, writer: { fd: -1 } as FileHandle };
  let first: FileHandle | undefined;
  try {
    await waitFor(() => engineInodes(placeholder).length > 0 || out.error() !== undefined, `the engine to open ${file}`, DEADLINE_MS);
    if (out.error() !== undefined) throw out.error();
    first = await open(file, 'a');
    const model: Model = { gens: [], atName: undefined, writerOn: undefined as unknown as Gen, partial: undefined, seq: 0, rotations: 0, trace: [], t0 };
    const gen = await newGen(model, first);
    model.atName = gen;
    model.writerOn = gen;
    note(model, `start: g0 (ino ${gen.ino}) at name, writer on g0`);
    return { model, real: { dir, file, out, notices, writer: first } };
  } catch (error) {
    await Promise.allSettled([out.stop(), first?.close()]);
    throw error;
  }
}

async function disposeWorld(w: World): Promise<void> {
  await Promise.allSettled([w.real.out.stop(), w.real.writer.close()]);
}

type Mode = 'no-truncate' | 'truncate';

/** Completes the run, waits for the engine to deliver and settle, and returns every violation found. */
async function settleAndCheck(w: World, mode: Mode): Promise<string[]> {
  const { model: m, real: r } = w;
  // The writer finishes its line, unless it may no longer write to its file.
  if (m.partial && stale(m)) {
    note(m, `abandon ${JSON.stringify(m.partial.line.text.slice(0, m.partial.cut))} in g${m.writerOn.id}`);
    m.partial.line.abandoned = true;
    m.partial = undefined;
  }
  await completePartial(m, r);
  note(m, 'end of actions');

  const all = m.gens.flatMap((g) => g.lines);
  const byText = new Map(all.filter((l) => !l.abandoned).map((l) => [l.text, l]));
  const mustSurvive = all.filter((l) => mode === 'no-truncate' || l.epoch === l.gen.truncations);
  const shown = (l: Written): string => (l.abandoned ? l.text.slice(0, l.cut) : l.text);
  const problems: string[] = [];

  const seen = new Set<string>();
  let scanned = 0;
  const missing = (): Written[] => {
    for (; scanned < r.out.lines.length; scanned++) seen.add(r.out.lines[scanned]!.text);
    return mustSurvive.filter((l) => !seen.has(shown(l)));
  };
  try {
    await waitFor(() => missing().length === 0 || r.out.error() !== undefined, 'every expected line', DEADLINE_MS);
  } catch {
    problems.push(`lost: ${DEADLINE_MS} ms after the last write, still missing ${missing().map((l) => `${JSON.stringify(shown(l))}@g${l.gen.id}`).join(', ')}`);
  }
  note(m, 'expected lines out (or deadline)');

  // Settle: no new output for QUIET_MS, and every file that left the name released by the engine.
  let count = r.out.lines.length;
  let changedAt = Date.now();
  const settled = (): boolean => {
    if (r.out.lines.length !== count) {
      count = r.out.lines.length;
      changedAt = Date.now();
    }
    const held = engineInodes(r).filter((ino) => ino !== m.atName?.ino);
    return Date.now() - changedAt >= QUIET_MS && held.length === 0;
  };
  try {
    await waitFor(() => settled() || r.out.error() !== undefined, 'quiet output and old files released', DEADLINE_MS);
  } catch {
    const held = engineInodes(r).filter((ino) => ino !== m.atName?.ino);
    const names = held.map((ino) => m.gens.find((g) => g.ino === ino)?.id ?? `?ino ${ino}`);
    if (held.length > 0) problems.push(`not released: the engine still holds g${names.join(', g')} ${DEADLINE_MS} ms after the last write`);
    else problems.push(`never quiet: output still growing ${DEADLINE_MS} ms after the expected lines`);
  }
  note(m, 'settled (or deadline)');
  await r.out.stop();

  if (r.out.error() !== undefined) problems.push(`the tail failed: ${String(r.out.error())}`);
  const counts = new Map<Written, number>();
  const lastIndex = new Map<Gen, Written>();
  for (const line of r.out.lines) {
    let w = byText.get(line.text);
    let wantEnd = w?.end;
    let wantEol: string = '\n';
    if (!w) {
      // The legitimate pieces of a line, emitted without terminator: the first part of a line written in
      // two steps, when the writer abandoned the file before the rest (emitted when the engine closes
      // the file), or when a truncation destroyed the rest before the engine read it (documented in
      // Generation.restart: the held bytes were written; GNU tail prints them too).
      w = all.find(
        (c) =>
          c.cut !== undefined &&
          (c.abandoned || c.epoch < c.gen.truncations) &&
          c.offset === line.offset &&
          c.text.slice(0, c.cut) === line.text,
      );
      wantEnd = w ? w.offset + Buffer.byteLength(line.text) : undefined;
      wantEol = '';
    }
    if (!w || (w.abandoned && wantEol !== '')) {
      problems.push(`garbled: ${JSON.stringify(line.text)} at [${line.offset}, ${line.end}) eol ${JSON.stringify(line.eol)} was never written as a line`);
      continue;
    }
    const n = (counts.get(w) ?? 0) + 1;
    counts.set(w, n);
    if (n === 2) problems.push(`duplicate: ${w.text} (g${w.gen.id})`);
    if (n > 1) continue;
    if (line.offset !== w.offset || line.end !== wantEnd) {
      problems.push(`offsets: ${JSON.stringify(line.text)} came at [${line.offset}, ${line.end}), was written at [${w.offset}, ${wantEnd}) of g${w.gen.id}`);
    }
    if (mode === 'no-truncate' && line.lineNumber !== w.index + 1) {
      problems.push(`lineNumber: ${line.text} came as line ${line.lineNumber}, is line ${w.index + 1} of g${w.gen.id}`);
    }
    if (line.eol !== wantEol || line.source !== r.file) problems.push(`line ${JSON.stringify(line.text)}: eol ${JSON.stringify(line.eol)}, source ${line.source}`);
    const prev = lastIndex.get(w.gen);
    if (prev && prev.index > w.index) problems.push(`order: ${w.text} came after ${prev.text} (both g${w.gen.id})`);
    lastIndex.set(w.gen, w);
  }
  const reportedLost = problems.some((p) => p.startsWith('lost'));
  for (const l of mustSurvive) {
    if (!counts.has(l) && !reportedLost) problems.push(`lost: ${shown(l)}@g${l.gen.id}`);
  }
  return problems;
}

function report(w: World, mode: Mode, problems: string[]): string {
  const { model: m, real: r } = w;
  const shown = (l: Written): string => (l.abandoned ? `${l.text.slice(0, l.cut)}<abandoned>` : l.text);
  const written = m.gens.map(
    (g) => `  g${g.id} (ino ${g.ino}, ${g.truncations} truncations): ${g.lines.map((l) => (l.epoch < g.truncations ? `(${shown(l)})` : shown(l))).join(' ')}`,
  );
  const out = r.out.lines.map((l: Line) => `  ${l.text} [${l.offset},${l.end}) #${l.lineNumber} eol=${JSON.stringify(l.eol)}`);
  return [
    `follow engine violated the model (${mode}):`,
    ...problems.map((p) => `  - ${p}`),
    'trace:',
    ...m.trace.map((t) => `  ${t}`),
    'notices:',
    ...r.notices.map((t) => `  ${t}`),
    'written (parenthesised: before the last truncation, may be lost):',
    ...written,
    'output:',
    ...out,
  ].join('\n');
}

/** Runs one command sequence against a fresh file and tail; throws a full report on any violation. */
async function runScenario(cmds: Iterable<Cmd>, mode: Mode): Promise<void> {
  const w = await startWorld();
  try {
    await fc.asyncModelRun(() => ({ model: w.model, real: w.real }), cmds);
    const problems = await settleAndCheck(w, mode);
    if (problems.length > 0) throw new Error(report(w, mode, problems));
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('follow engine violated')) throw error;
    throw new Error(`${String(error)}\n${report(w, mode, ['the run itself failed'])}`, { cause: error });
  } finally {
    await disposeWorld(w);
  }
}

function positiveEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a whole number > 0, not ${raw}`);
  return n;
}

// Generous: a failing case is shrunk, and each failing run waits out its deadlines.
const PROPERTY_TIMEOUT = 60_000 + RUNS * 3_000;

describe('follow engine against a model of a real writer (follow by name)', () => {
  it(
    'without truncation: every line once, unmodified, at its offset, in order within its file',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commandArbs(false), { maxCommands: MAX_COMMANDS, size: 'max', replayPath: REPLAY_PATH }), (cmds) =>
          runScenario(cmds, 'no-truncate'),
        ),
        { numRuns: RUNS, seed: SEED, path: PATH },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'with truncation: nothing garbled or repeated, and every line written after the last truncation comes out',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commandArbs(true), { maxCommands: MAX_COMMANDS, size: 'max', replayPath: REPLAY_PATH }), (cmds) =>
          runScenario(cmds, 'truncate'),
        ),
        { numRuns: RUNS, seed: SEED, path: PATH },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('follow engine: explicit sequences', () => {
  it('a rotation mid-line: the writer finishes the line and writes more through the old descriptor, then reopens', async () => {
    await runScenario(
      [new WriteLine(3), new WritePartial(5, 3), new RenameRotate(), new WriteLine(0), new WritePartial(1, 2), new Reopen(true), new WriteLine(2)],
      'no-truncate',
    );
  });

  it('a writer that abandons a partial line in a rotated file: its first part comes out alone', async () => {
    await runScenario([new WriteLine(1), new WritePartial(4, 2), new RenameRotate(), new Reopen(false), new WriteLine(2)], 'no-truncate');
  });

  it('a deleted file written through the old descriptor, then re-created, loses nothing', async () => {
    await runScenario(
      [new WriteLine(3), new WritePartial(2, 1), new Delete(), new WriteLine(0), new Pause(50), new WriteLine(1), new Recreate(true), new WriteLine(2)],
      'no-truncate',
    );
  });

  /** Found by the property with truncation (500 runs): the unfinished `g` came out after `g2-3`. */
  it('an unfinished line read before a truncation comes out before what follows it', async () => {
    await runScenario(
      [new RenameRotate(), new RenameRotate(), new Reopen(false), new WriteLine(0), new WriteLine(0), new WritePartial(0, 0), new Truncate(), new WriteLine(0)],
      'truncate',
    );
  });

  it('a copytruncate keeps every line written after it', async () => {
    await runScenario([new WriteLine(3), new WriteLine(4), new Pause(30), new Truncate(), new WriteLine(0), new WriteLine(1)], 'truncate');
  });

  /**
   * The model's most frequent counterexample (`writeLine, truncate, writeLine` racing the engine's reads),
   * made deterministic: with no change hints (poll mode) and a consumer that holds its batch, the engine's
   * next read goes to the old read position of a file that was truncated and rewritten past it.
   */
  it('a copytruncate and rewrite while the consumer holds a batch: the new file is read from its start', async () => {
    const dir = await realpath(await tempDir());
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'first\n');
    const stream = tail(file, { start: { fromLine: 1 }, poll: true, pollInterval: 1_000 });
    try {
      const first = await stream.next();
      await truncate(file, 0);
      await writeFile(file, 'second-line\n', { flag: 'a' });
      const rest = collect(stream);
      await waitFor(() => rest.texts().includes('second-line') || rest.error() !== undefined, 'second-line', DEADLINE_MS);
      expect(rest.error()).toBeUndefined();
      expect([first.value?.text, ...rest.texts()]).toEqual(['first', 'second-line']);
    } finally {
      await stream.close();
    }
  });

  /** A partial line left in a file the writer abandoned comes out as its own line when the file is closed. */
  async function danglingPartial(leave: (file: string) => Promise<void>): Promise<void> {
    const dir = await realpath(await tempDir());
    const file = path.join(dir, 'app.log');
    await writeFile(file, '');
    const out = collect(tail(file, { start: { fromLine: 1 }, rotateWait: ROTATE_WAIT_MS }));
    let writer: FileHandle | undefined;
    try {
      const real = { dir, file, out, notices: [], writer: { fd: -1 } as FileHandle };
      await waitFor(() => engineInodes(real).length > 0, 'the engine to open the file', DEADLINE_MS);
      writer = await open(file, 'a');
      await writer.write('before\ndangl');
      await out.until(1, DEADLINE_MS);
      await leave(file);
      await writer.close();
      writer = await open(file, 'a');
      await writer.write('after\n');
      await waitFor(() => out.lines.length >= 3 || out.error() !== undefined, 'before, after and the dangling partial', DEADLINE_MS);
      // Nothing more comes: the partial line is emitted once.
      let count = out.lines.length;
      let changedAt = Date.now();
      await waitFor(
        () => {
          if (out.lines.length !== count) [count, changedAt] = [out.lines.length, Date.now()];
          return Date.now() - changedAt >= QUIET_MS;
        },
        'quiet output',
        DEADLINE_MS,
      );
      expect(out.error()).toBeUndefined();
      const got = out.lines.map((l) => ({ text: l.text, eol: l.eol, offset: l.offset, end: l.end }));
      expect(got).toHaveLength(3);
      expect(got[0]).toEqual({ text: 'before', eol: '\n', offset: 0, end: 7 });
      expect(got.slice(1)).toEqual(
        expect.arrayContaining([
          { text: 'dangl', eol: '', offset: 7, end: 12 },
          { text: 'after', eol: '\n', offset: 0, end: 6 },
        ]),
      );
    } finally {
      await out.stop();
      await writer?.close().catch(() => {});
    }
  }

  it('a partial line left in a rotated or a deleted file is emitted, once and whole, when the old file is closed', async () => {
    const rotate = async (file: string) => {
      await rename(file, `${file}.1`);
      await writeFile(file, '', { flag: 'wx' });
    };
    const remove = async (file: string) => {
      await unlink(file);
      await writeFile(file, '', { flag: 'wx' });
    };
    // Independent files and tails: run side by side to halve the wait for the grace period.
    await Promise.all([danglingPartial(rotate), danglingPartial(remove)]);
  });
});
