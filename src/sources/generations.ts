import type { Stats } from 'node:fs';
import type { Generation } from './generation.js';

/** How often files that left the name are looked at while they are drained (no watch event covers them). */
const CHECK_MS = 100;
/**
 * How far file times may trail the clock: they come from the kernel's coarse clock, which moves in ticks
 * (4 ms here) and lagged `Date.now()` by up to 7.3 ms on this 2-core VM when it was busy (birth time of a
 * file just created against the time taken before creating it, 800 files).
 */
const CLOCK_TICK_MS = 10;
/** Identities of released generations remembered, so that a directory sweep does not take them for new. */
const REMEMBERED = 64;

/**
 * The generations one followed name holds, in the order they are read: the files that left the name
 * (rotated away or deleted), oldest first, then the file now at the name. A file that left the name is
 * kept until it has been read to its end and quiet for `rotateWait`, then released; while any is kept,
 * a timer wakes the follower to read them, since their names no longer lead to them and no watch event
 * will. A generation is never parked under the open-file cap once it has left the name.
 * @internal
 */
export class Generations {
  private older: Generation[] = [];
  private now: Generation | undefined;
  /** Bumped whenever a generation is put before others (see {@link insertedBefore}). */
  private version = 0;
  private readonly insertions: Array<{ version: number; gen: Generation }> = [];
  private readonly remembered: Array<{ dev: number; ino: number; born: number; head: Buffer }> = [];
  /** Generations that are copies a `copytruncate` made of another (see {@link insertOlder}). */
  private readonly copies = new WeakSet<Generation>();
  private timer: NodeJS.Timeout | undefined;
  private readonly rotateWait: number;
  private readonly wake: () => void;

  constructor(rotateWait: number, wake: () => void) {
    this.rotateWait = rotateWait;
    this.wake = wake;
  }

  /** The file at the name, if it is held. */
  get current(): Generation | undefined {
    return this.now;
  }

  /** Every generation held, in reading order. */
  get all(): Generation[] {
    return this.now ? [...this.older, this.now] : [...this.older];
  }

  /** The generations that left the name, oldest first. */
  get draining(): readonly Generation[] {
    return this.older;
  }

  get size(): number {
    return this.older.length + (this.now ? 1 : 0);
  }

  /** True for a copy put in with {@link insertCopy}. */
  isCopy(gen: Generation): boolean {
    return this.copies.has(gen);
  }

  /** True while `gen` is held (not released, dropped or handed over). */
  holds(gen: Generation): boolean {
    return gen === this.now || this.older.includes(gen);
  }

  /** A counter that changes whenever a generation is put before others. */
  get stamp(): number {
    return this.version;
  }

  /** The file now at the name. */
  setCurrent(gen: Generation): void {
    this.now = gen;
  }

  /** The file at the name left it: it is drained from now on. */
  retireCurrent(): Generation | undefined {
    const gen = this.now;
    this.now = undefined;
    if (gen) this.addDraining(gen);
    return gen;
  }

  /** A file that left the name before any look saw it there (found in the directory): read before the newer ones, in the order of `born`. */
  insertOlder(gen: Generation, born: number): void {
    let at = this.older.length;
    // A copy held already, born in the same tick, is of a file held already, newer than this one: it
    // stays right before that file.
    const after = (other: Generation) => other.file.born > born || (other.file.born === born && this.copies.has(other));
    while (at > 0 && after(this.older[at - 1]!)) at--;
    this.insertAt(at, gen);
  }

  /**
   * `copy` holds what `of` held before it was truncated (a `copytruncate` rotation): it is read right
   * before `of`, whose new content follows it.
   */
  insertCopy(copy: Generation, of: Generation): void {
    this.copies.add(copy);
    const at = this.older.indexOf(of);
    this.insertAt(at === -1 ? this.older.length : at, copy);
  }

  private insertAt(at: number, gen: Generation): void {
    this.older.splice(at, 0, gen);
    this.leave(gen);
    this.version++;
    this.insertions.push({ version: this.version, gen });
    if (this.insertions.length > 16) this.insertions.shift();
  }

  /**
   * True when a generation to be read before `gen` was put in place since `stamp`: a chunk of `gen` read
   * meanwhile must wait, so that older lines come out first.
   */
  insertedBefore(gen: Generation, stamp: number): boolean {
    if (stamp === this.version) return false;
    const order = this.all;
    const at = order.indexOf(gen);
    return this.insertions.some((i) => i.version > stamp && order.indexOf(i.gen) !== -1 && (at === -1 || order.indexOf(i.gen) < at));
  }

  /** Forgets `gen` (released, dropped or handed to another follower); the caller closes it or not. */
  remove(gen: Generation): void {
    if (this.now === gen) this.now = undefined;
    else this.older = this.older.filter((g) => g !== gen);
    this.remember(gen);
    if (this.older.length === 0) this.stopTimer();
  }

  /** Takes every generation out (the caller releases or closes them), oldest first. */
  takeAll(): Generation[] {
    const gens = this.all;
    this.older = [];
    this.now = undefined;
    for (const gen of gens) this.remember(gen);
    this.stopTimer();
    return gens;
  }

  /** The files that left the name, read to their end and quiet for `rotateWait`: ready to be released. */
  quiet(now = Date.now()): Generation[] {
    return this.older.filter((gen) => this.isQuiet(gen, now));
  }

  /**
   * True when `gen` left the name, was read to its end, has been quiet for `rotateWait`, and holds nothing
   * past the read position now (the last read may be old: late writes after a rotation that a starved
   * follower did not read yet must be read before the file is let go).
   */
  isQuiet(gen: Generation, now = Date.now()): boolean {
    return gen !== this.now && gen.atEof && now - gen.lastGrowth >= this.rotateWait && !gen.hasMore();
  }

  /** True when `st` is a file held now or released lately. */
  knows(st: Stats): boolean {
    // An inode number can be reused once its file is gone: where the file system keeps birth times, a
    // remembered identity is the same file only if it was born at the same time.
    const same = (r: { dev: number; ino: number; born: number }) => r.dev === st.dev && r.ino === st.ino && (st.birthtimeMs === 0 || r.born === st.birthtimeMs);
    return this.all.some((gen) => gen.isSameFile(st)) || this.remembered.some(same);
  }

  /**
   * The first bytes of every file held now (as read, and as they are now) or released lately (as read),
   * to tell a copy of one of them from a file of its own.
   */
  heads(): Buffer[] {
    const held = this.all.flatMap((gen) => [gen.firstBytes, gen.now()?.head ?? Buffer.alloc(0)]);
    return [...held, ...this.remembered.map((r) => r.head)].filter((h) => h.length > 0);
  }

  /** True when a held file was at the name at time `born`, as far as looks can tell (see {@link atNameAt}). */
  occupied(born: number): boolean {
    return this.all.some((gen) => this.atNameAt(gen, born));
  }

  /**
   * True when `gen` was at the name at time `born`, as far as looks can tell: born before it (in an
   * earlier tick of the coarse file clock: within one tick, either may be the older), and seen at the
   * name by a look after it (with a margin for that clock).
   */
  atNameAt(gen: Generation, born: number): boolean {
    return gen.file.born < born && gen.seenAtName - CLOCK_TICK_MS > born;
  }

  /**
   * The newest generation held that was born before `born` (ms), copies and those `passedOver` left out.
   * Strictly before: file times tick coarsely, and a file born in the same tick may as well be the younger one.
   */
  newestBornBefore(born: number, passedOver: (gen: Generation) => boolean = () => false): Generation | undefined {
    let best: Generation | undefined;
    for (const gen of this.all) {
      if (gen.file.born < born && !this.copies.has(gen) && (!best || gen.file.born > best.file.born) && !passedOver(gen)) best = gen;
    }
    return best;
  }

  /**
   * The generations held (copies left out) born at `born` exactly, in the same tick of the file clock:
   * newest first (in the order they are read), the one most likely still at the name when a file born
   * in that tick was made.
   */
  bornAt(born: number): Generation[] {
    return this.all.filter((gen) => gen.file.born === born && !this.copies.has(gen)).reverse();
  }

  /** The birth time of the newest file that left the name (0 if none). */
  get newestLeftBorn(): number {
    let born = 0;
    for (const gen of this.older) born = Math.max(born, gen.file.born);
    for (const r of this.remembered) born = Math.max(born, r.born);
    return born;
  }

  stop(): void {
    this.stopTimer();
  }

  private addDraining(gen: Generation): void {
    this.older.push(gen);
    this.leave(gen);
  }

  private leave(gen: Generation): void {
    // Its name leads elsewhere now: it is never closed to make room, or it could not be found again.
    gen.file.pinned = true;
    // Quiet time counts from the later of its last growth and now: a writer that was idle before the
    // rotation still gets the whole grace period to write its last lines to the old file.
    gen.leftAt = Date.now();
    gen.lastGrowth = gen.leftAt;
    this.timer ??= setInterval(this.wake, Math.max(Math.min(CHECK_MS, this.rotateWait), 10));
  }

  private remember(gen: Generation): void {
    // The same inode number may be a new file since (numbers are reused): the newest one counts.
    const at = this.remembered.findIndex((r) => r.dev === gen.dev && r.ino === gen.ino);
    if (at !== -1) this.remembered.splice(at, 1);
    this.remembered.push({ dev: gen.dev, ino: gen.ino, born: gen.file.born, head: gen.firstBytes });
    if (this.remembered.length > REMEMBERED) this.remembered.shift();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
