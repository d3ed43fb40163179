#!/usr/bin/env node
/**
 * A log writer that never waits for the follower: the churn model's adversary. It runs in a process of
 * its own, driven by a seed, and does what busy applications and rotation tools do to a log name:
 * bursts of lines, lines written in two steps, rename rotation with late writes through the old
 * descriptor, copytruncate, delete and re-create, two rotations a few milliseconds apart, and pauses.
 *
 *   node writer.mjs DIR SEED STEPS [MAX_GAP_MS]
 *
 * It writes `DIR/app.log` (which must exist, empty: the follower is already following it) and prints,
 * at the end, one JSON manifest to stdout: every generation (inode) the name carried, what became of it,
 * and every line written, in order, with its generation and a global write sequence number. The checker
 * (check.ts) compares the follower's output with it.
 */
import { closeSync, copyFileSync, fstatSync, openSync, renameSync, truncateSync, unlinkSync, writeSync, constants } from 'node:fs';
import path from 'node:path';
import { prng } from '../../helpers/prng.mjs';

const [dir, seedArg, stepsArg, gapArg] = process.argv.slice(2);
if (!dir || !seedArg || !stepsArg) {
  process.stderr.write('usage: writer.mjs DIR SEED STEPS [MAX_GAP_MS]\n');
  process.exit(2);
}
const file = path.join(dir, 'app.log');
const steps = Number(stepsArg);
const maxGap = gapArg === undefined ? 30 : Number(gapArg);
const rand = prng(Number(seedArg));

/** Generations in creation order: { id, ino, fate, path, createdAt (write sequence) }. */
const gens = [];
/**
 * Lines in write order: { text, gen, seq, lateQuiet? }. `lateQuiet`: for a line written (or finished)
 * through the old descriptor after its file left the name, the longest time, in ms, the file had then
 * been quiet since its last write or since it left the name, whichever came later (see lateWrites).
 */
const lines = [];
const trace = [];
let seq = 0;
let rotated = 0;
const t0 = Date.now();

const APPEND = constants.O_WRONLY | constants.O_APPEND;
let fd = openSync(file, APPEND);
let gen = addGen(fd);
/** A line whose first part is written and the rest not yet: { line, cut }. */
let partial;

function addGen(handle) {
  // lastWriteAt, leftAt, lateQuiet: writer-side times (performance.now()) used by lateWrites, not in the manifest's contract.
  const g = { id: gens.length, ino: fstatSync(handle).ino, fate: 'name', path: 'app.log', createdAt: seq, epochs: 1, lastWriteAt: 0, leftAt: 0, lateQuiet: 0 };
  gens.push(g);
  return g;
}

function note(what) {
  trace.push(`${String(Date.now() - t0).padStart(5)}ms ${what}`);
}

function int(lo, hi) {
  return lo + (rand() % (hi - lo + 1));
}

function newLine() {
  const n = seq++;
  // Unique and long enough that a cut or a mix-up shows as text that was never written.
  const text = `g${gen.id}-${n}:${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3).slice(0, int(8, 100))}`;
  const line = { text, gen: gen.id, seq: n };
  if (late) line.lateQuiet = Math.round(gen.lateQuiet);
  lines.push(line);
  return line;
}

function write(data) {
  const buf = Buffer.from(data);
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done);
  gen.lastWriteAt = performance.now();
}

/** The rest of a line written in two steps, if one is pending. */
function finishPartial() {
  if (!partial) return '';
  if (late) partial.line.lateQuiet = Math.round(gen.lateQuiet);
  const rest = partial.line.text.slice(partial.cut) + '\n';
  partial = undefined;
  return rest;
}

function burst(count, mayLeavePartial = true) {
  let data = finishPartial();
  for (let i = 0; i < count; i++) data += newLine().text + '\n';
  if (mayLeavePartial && rand() % 5 === 0) {
    const line = newLine();
    const cut = 1 + (rand() % (line.text.length - 1));
    partial = { line, cut };
    data += line.text.slice(0, cut);
  }
  write(data);
}

/**
 * True while lateWrites writes: each line then records how long its file had been quiet (lateQuiet). A
 * follower keeps reading a file that left the name for its rotateWait after the later of its last growth
 * and its leaving; a writer starved between two of its system calls can write later than that, and those
 * lines are not guaranteed (the oracle allows them to be missing, and counts them).
 */
let late = false;

/** A write through the descriptor the writer still has on a file that left the name. */
function lateWrites() {
  const n = int(1, 5);
  late = true;
  const quiet = () => (gen.lateQuiet = Math.max(gen.lateQuiet, performance.now() - Math.max(gen.lastWriteAt, gen.leftAt)));
  for (let i = 0; i < n; i++) {
    quiet();
    burst(int(1, 3), i < n - 1);
  }
  if (partial) {
    quiet();
    write(finishPartial());
  }
  late = false;
  note(`  ${n} late writes to g${gen.id}`);
}

function reopenName() {
  closeSync(fd);
  fd = openSync(file, APPEND | constants.O_CREAT, 0o644);
  gen = addGen(fd);
}

function renameRotation() {
  const to = `app.log.${++rotated}`;
  const old = gen;
  renameSync(file, path.join(dir, to));
  old.leftAt = performance.now();
  old.fate = 'renamed';
  old.path = to;
  note(`rename g${old.id} -> ${to}`);
  // Late writes before or after the new file exists (logrotate's `create` comes first or not).
  if (rand() % 2 === 0) {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644));
    lateWrites();
    closeSync(fd);
    fd = openSync(file, APPEND);
    gen = addGen(fd);
  } else {
    lateWrites();
    reopenName();
  }
  note(`  new g${gen.id} (ino ${gen.ino})`);
}

function copyTruncate() {
  if (partial) write(finishPartial());
  const to = `app.log.${++rotated}`;
  copyFileSync(file, path.join(dir, to));
  truncateSync(file, 0);
  gen.epochs++;
  note(`copytruncate g${gen.id} -> ${to}`);
}

function deleteRecreate() {
  const old = gen;
  unlinkSync(file);
  old.leftAt = performance.now();
  old.fate = 'deleted';
  note(`delete g${old.id}`);
  if (rand() % 2 === 0) lateWrites();
  else if (partial) write(finishPartial());
  reopenName();
  note(`  new g${gen.id} (ino ${gen.ino})`);
}

function sleep(ms) {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

for (let step = 0; step < steps; step++) {
  const roll = rand() % 100;
  if (roll < 45) {
    burst(int(1, 40));
  } else if (roll < 60) {
    renameRotation();
  } else if (roll < 68) {
    copyTruncate();
  } else if (roll < 78) {
    deleteRecreate();
  } else if (roll < 86) {
    // Two rotations 1–10 ms apart: the generation between them carries the name that long.
    renameRotation();
    burst(int(1, 40), false);
    await sleep(int(1, 10));
    renameRotation();
  } else {
    await sleep(int(20, 120));
    continue;
  }
  await sleep(int(0, maxGap));
}
if (partial) write(finishPartial());
closeSync(fd);
process.stdout.write(JSON.stringify({ gens, lines, trace }) + '\n');
