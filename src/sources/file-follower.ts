import type { Stats } from 'node:fs';
import path from 'node:path';
import type { Line } from '../lines/line.js';
import type { ReadChunk } from '../lines/chunk.js';
import type { ResolvedOptions, StartPosition } from '../options.js';
import { notices, type Notice } from '../notices.js';
import type { DirWatch } from './dir-watch.js';
import { Generation, REWRITTEN, SET_ASIDE, type GenerationContext } from './generation.js';
import { Generations } from './generations.js';
import { initialPhase, openFailed, transition, type Phase, type Step } from './follower-phase.js';
import { lookAt, NameWatch, type Look } from './name-watch.js';
import type { Reader } from './readers.js';
import type { Origin } from './resume.js';
import { atPoint, startOf } from './resume-start.js';
import { identity, RotatedFiles } from './rotated-files.js';
import type { Source, SourceHost } from './source.js';
import { HistoryReader, type HistoryPart } from '../history/reader.js';
import { backfillPlan, resumePlan } from '../history/plan.js';

/** A re-check this long after the last read that returned bytes catches writes no event announced. */
const TRAILING_RECHECK_MS = 60;

/**
 * Follows one name. Its state is a {@link Phase} (see follower-phase.ts for every transition) plus the
 * {@link Generations} it holds: the file at the name and the files that left it, read oldest first.
 *
 * Every file the name is seen to carry is opened and held at once ("pinned"), whatever else the follower
 * is doing: a directory event for the name is looked at in the event handler itself (one `stat`, and an
 * `open` when the file is new), not when the reading gets round to it. When events show that more files
 * came and went than were seen, the directory is searched for them ({@link RotatedFiles.sweep}); what cannot be found
 * is reported. Reading is separate: `pull()` reads the held files in order, one chunk at a time.
 * @internal
 */
export class FileFollower implements Source, Reader {
  readonly name: string;
  /** Found by a glob: once the file is gone and released, the follower ends (the glob finds it again). */
  readonly discovered: boolean;
  private readonly opts: ResolvedOptions;
  private readonly host: SourceHost;
  private readonly start0: StartPosition;
  /** What every generation of this name shares: framing, read size, the open-file cap. */
  private readonly context: GenerationContext;
  private phase: Phase = initialPhase();
  private readonly gens: Generations;
  private readonly names: NameWatch;
  /** Lines produced outside a read (partial lines flushed when a file is released or truncated). */
  private out: Line[] = [];
  /** A read may find something: a hint came, or the last read returned bytes. */
  private dirty = true;
  /** The name and the held file were looked at since the last read that returned bytes. */
  private looked = false;
  /** The trailing re-check is due: look at the name before reading. */
  private lookFirst = false;
  /** A read returned bytes since the last trailing re-check. */
  private readBytes = false;
  private recheckTimer: NodeJS.Timeout | undefined;
  /** A look came while the first file was being placed: look again once it is. */
  private lookAfterStart = false;
  /** The file (by identity) whose reads failed: not taken again while the name leads to it. */
  private unreadable: { dev: number; ino: number } | undefined;
  private readonly reportedLost = new WeakSet<Generation>();
  /** Files that left the name of a follower a glob made: the glob scan they wait for (see {@link awaitsScan}). */
  private readonly scanDue = new WeakMap<Generation, number>();
  /** Files that held the name unseen, and copies of it (copytruncate). */
  private readonly rotated: RotatedFiles;
  /** Files closed while a read through them was still under way: `close()` waits until they are. */
  private readonly releasing = new Set<Promise<void>>();
  /**
   * The count of the name's events asked for (see {@link NameWatch.settleSoon}) that nothing of a file
   * that came to the name is read before (they tell whether files held it unseen meanwhile); 0: none.
   */
  private countDue = 0;
  /** The file at the name when the follower started, when it had content (no copy to look for before it is read). */
  private first: Generation | undefined;
  /** What the last look found at the name (identity of a file or directory; undefined for nothing). */
  private lastSeen: string | undefined;
  /**
   * Following by descriptor with `retry`, until a file is first opened: the name is watched and looked
   * at as when following by name (GNU `--retry -f`: "only effective for the initial open").
   */
  private retryUntilOpen: boolean;
  /** Read the name's rotated siblings before its file (`backfill`), unless the checkpoint knows the name. */
  private readonly backfill: boolean;
  /**
   * The name's history, read before any file it holds: its rotated siblings (`backfill`), or the rest of
   * a file rotated and compressed while stopped and what was rotated after it (a checkpoint's resume).
   */
  private history: HistoryReader | undefined;
  /** Once the history is read: where the file at the name starts, for the checkpoint once the history is delivered. */
  private afterHistory: { origin: Origin; line: number; offset: number } | undefined;
  failure: NodeJS.ErrnoException | undefined;
  origin: Origin | undefined;
  /** The bytes the lines of the last read were framed from (see {@link takeChunk}). */
  private chunk: ReadChunk | undefined;
  startedEmpty = false;

  constructor(path: string, opts: ResolvedOptions, host: SourceHost, watch: DirWatch | undefined, start: StartPosition, discovered = false, backfill = false) {
    this.name = path;
    this.backfill = backfill;
    this.opts = opts;
    this.host = host;
    this.start0 = start;
    this.discovered = discovered;
    this.retryUntilOpen = opts.follow === 'descriptor' && opts.retry;
    this.gens = new Generations(opts.rotateWait, () => this.hint());
    this.names = new NameWatch(path, opts.follow === false ? undefined : watch, {
      look: () => this.lookNow(),
      write: () => {
        if (this.rotated.pending) this.findCopy();
        this.hint();
      },
      settled: (covered) => this.settled(covered),
      sibling: (entry, from) => {
        this.rotated.entryEvent(entry, from);
        this.findCopy();
      },
    });
    this.rotated = new RotatedFiles(path, opts.rotateWait, {
      gens: this.gens,
      heldElsewhere: (st) => host.readers.has(st),
      pinAt: (file, seen) => this.pinAt(file, seen),
      arrival: () => this.names.found(),
      hint: () => this.hint(),
    });
    this.context = {
      framing: {
        delimiter: opts.delimiter,
        maxLineBytes: opts.maxLineBytes,
        overlong: opts.overlong,
        encoding: opts.encoding,
        blocks: opts.blocks,
        prefilter: opts.prefilter,
        onTooLong: (offset: number) => this.report(notices.lineTooLong(this.name, offset, opts.overlong, opts.maxLineBytes)),
      },
      get readSize() {
        return host.readSize;
      },
      partialLines: opts.partialLines,
      pool: host.pool,
      readBuffer: (size) => host.readBuffer(size),
    };
  }

  private get byName(): boolean {
    return this.opts.follow === 'name';
  }

  get ready(): boolean {
    const p = this.phase.name;
    if (p === 'closed' || p === 'starting') return false;
    return this.out.length > 0 || this.history !== undefined || (p !== 'finished' && this.dirty);
  }

  get done(): boolean {
    return this.phase.name === 'finished' && this.out.length === 0 && this.history === undefined;
  }

  get catchingUp(): boolean {
    if (this.history) return true;
    const gen = this.gens.current;
    return gen !== undefined && !gen.atEof && gen.offset < gen.initialSize && this.gens.draining.length === 0;
  }

  get bufferedBytes(): number {
    let n = this.history?.bufferedBytes ?? 0;
    for (const gen of this.gens.all) n += gen.bufferedBytes;
    return n;
  }

  async start(): Promise<void> {
    // Watch before the first look, so that nothing that happens after it goes unseen; rotated files
    // there already are history, not files to read.
    if (this.byName) {
      this.names.start();
      this.rotated.ignoreExisting(this.host.listing(path.dirname(this.name)));
    } else if (this.retryUntilOpen) {
      this.names.start();
    }
    const seenAt = Date.now();
    // With backfill, a name the checkpoint does not know is read whole, after its history.
    const backfill = this.backfill && !this.host.resumer?.knows(this.name);
    const start: StartPosition = backfill ? { fromByte: 1 } : this.start0;
    const look = lookAt(this.name);
    if (!this.byName && !this.retryUntilOpen && look.kind !== 'file') return this.cannotStart(look);
    let step = transition(this.phase, { type: 'look', look, fresh: true }, this.name);
    if (step.pin && look.kind === 'file') {
      try {
        const { gen, adopted } = this.pinCurrent(seenAt);
        // Its content at the start is read as it is; an empty one may yet be written and copytruncated.
        if (look.st.size > 0) this.first = gen;
        this.rotated.arrived(true);
        // A file taken over from another follower goes on where that one was.
        if (!adopted) await gen.place((read, fd, st) => startOf(this.host.resumer, this.name, start, this.opts.delimiter, { read, fd, st }));
      } catch (error) {
        if (this.isClosed) return;
        const current = this.gens.current;
        if (current) this.forget(current);
        if (!this.byName) return this.cannotStart({ kind: 'inaccessible', error: error as NodeJS.ErrnoException });
        step = openFailed(this.phase, error as NodeJS.ErrnoException, this.name);
      }
    }
    if (this.isClosed) return;
    this.enter(step);
    const first = this.gens.current;
    this.lastSeen = first ? identityOf(first) : look.kind === 'untailable' ? identity(look.st) : undefined;
    if (this.lastSeen !== undefined) this.names.present();
    if (this.opts.follow !== false) await this.names.follow(this.opts.follow === 'descriptor');
    await this.resumeMovedAway();
    // Listed now (not from the session's shared listing): after the file at the name was opened, so that a
    // rotation in between leaves the file at the sibling it went to, known by identity and not read twice.
    if (backfill && !this.isClosed) this.readHistory(backfillPlan(this.name, (st) => this.holds(st), (n) => this.report(n)));
    if (this.opts.follow === false) this.enter(transition(this.phase, { type: 'stop' }, this.name));
    // Until its first line is delivered, a file resumes where this run began reading it: a crash
    // before then must not make the next run start at its last 10 lines and skip the rest. After a
    // history, once the history's lines are delivered (before, a crash reads the history again).
    const gen = this.gens.current;
    if (gen && this.gens.draining.length === 0) {
      const point = { offset: gen.offset, line: gen.framer.lineNumber };
      if (this.history) this.afterHistory = { origin: gen.origin, ...point };
      else this.host.resumer?.started(gen.origin, point);
    }
    this.startedEmpty = gen !== undefined && gen.offset >= gen.initialSize && this.gens.draining.length === 0 && !this.history;
    if (this.lookAfterStart) this.lookNow();
    this.hint();
  }

  /** Without follow by name, an operand that cannot be read is given up at once. */
  private cannotStart(look: Exclude<Look, { kind: 'file' }>): void {
    const code = look.kind === 'missing' ? 'ENOENT' : 'EISDIR';
    const error = look.kind === 'inaccessible' ? look.error : (Object.assign(new Error(code), { code }) as NodeJS.ErrnoException);
    this.report(notices.cannotOpen(this.name, error));
    if (look.kind === 'untailable' && this.opts.follow === 'descriptor') this.report(notices.givingUp(this.name));
    this.failure = error;
    this.phase = { name: 'finished' };
    this.names.close();
  }

  /** By descriptor, waiting for a first file (--retry): something else than a file came; the name is given up. */
  private giveUp(st: Stats): void {
    this.report(notices.untailableGivingUp(this.name));
    this.failure = Object.assign(new Error('not a file to follow'), { code: st.isDirectory() ? 'EISDIR' : 'EINVAL' });
    this.phase = { name: 'finished' };
    this.names.close();
    this.host.notify();
  }

  /**
   * The safety poll, for what no watch event announced (NFS, FUSE, missed events). One synchronous
   * `stat` of the name per file, and a look only when something looks different, so that a thousand
   * quiet files cost almost nothing.
   */
  poll(): void {
    const p = this.phase.name;
    if (this.opts.follow === false || (p !== 'following' && p !== 'waiting') || this.dirty) return;
    if (this.gens.draining.length > 0) {
      // Files that left the name are read on, and the name looked at after them: a file may have come
      // there meanwhile (polling, there is no event to say so).
      this.looked = false;
      return this.hint();
    }
    const current = this.gens.current;
    if (!this.byName) {
      if (this.retryUntilOpen) this.lookNow();
      else if (current?.looksChanged()) this.hint();
      return;
    }
    const look = lookAt(this.name);
    if (look.kind !== 'file' || !current?.isSameFile(look.st)) this.lookNow();
    else if (current.looksChanged(look.st)) this.hint();
  }

  stop(): void {
    this.enter(transition(this.phase, { type: 'stop' }, this.name));
    this.hint();
  }

  async pull(): Promise<Line[] | null> {
    const queued = this.take();
    if (queued) {
      // Lines flushed outside a read have no position a checkpoint could resume from.
      this.origin = undefined;
      return queued;
    }
    const p = this.phase.name;
    if (p === 'closed' || p === 'starting') return null;
    if (this.history) return this.pullHistory(this.history);
    if (this.afterHistory) {
      // The history's last lines were handed out before this pull: the file at the name counts from
      // where it starts once they are delivered.
      const { origin, offset, line } = this.afterHistory;
      this.afterHistory = undefined;
      this.host.resumer?.startedAfterDelivered(origin, { offset, line });
    }
    if (p === 'finished') return null;
    this.dirty = false;
    // The trailing re-check looks at the name before it reads: what was written after a rename is then
    // read under the name the file holds now, not by a read that came before the rename was seen.
    if (this.lookFirst) {
      this.lookFirst = false;
      this.looked = true;
      this.recheck();
    }
    for (;;) {
      const lines: Line[] = [];
      const read = await this.readHeld(lines);
      if (this.isClosed) return null;
      if (read === 'lines') return lines;
      // Nothing more until the events up to a file's arrival are counted (see settled()).
      if (read === 'wait') {
        this.origin = undefined;
        return this.take();
      }
      if (read === 'again') {
        // What a truncation flushed (an unfinished line of the old content) comes before anything read next.
        const flushed = this.take();
        if (!flushed) continue;
        this.origin = undefined;
        return flushed;
      }
      // Every held file is read to its end: look at the name and the file (a truncation reads as
      // nothing more at the old position) before deciding that there is nothing new.
      if (!this.looked) {
        this.looked = true;
        if (this.recheck()) continue;
      }
      break;
    }
    this.origin = undefined;
    await this.afterDrain();
    return this.take();
  }

  /** The bytes the lines of the last `pull()` were framed from, once; undefined when they came from elsewhere. */
  takeChunk(): ReadChunk | undefined {
    const chunk = this.origin ? this.chunk : undefined;
    this.chunk = undefined;
    return chunk;
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.phase = { name: 'closed' };
    const history = this.history;
    this.history = undefined;
    await history?.close();
    this.names.close();
    this.gens.stop();
    clearTimeout(this.recheckTimer);
    for (const gen of this.gens.takeAll()) {
      this.host.readers.release(gen);
      this.closes(gen.dispose());
    }
    // Resolved only once every descriptor is closed (a read under way ends first).
    await Promise.all(this.releasing);
  }

  // ---------------------------------------------------------------------------------------------
  // Reader: how the other followers of the session see this one (one file, one reader)

  leadsTo(gen: Generation): boolean {
    if (this.gens.current !== gen) return false;
    const look = lookAt(this.name);
    return look.kind === 'file' && gen.isSameFile(look.st);
  }

  surrender(gen: Generation): void {
    this.gens.remove(gen);
  }

  // ---------------------------------------------------------------------------------------------
  // Looking at the name

  /**
   * Looks at the name now and acts on what it finds: a new file is pinned at once, and the directory
   * searched for files that held the name in between unseen; the file held is retired when it left.
   * `wake`: make the next pull read (a look from outside a read: an event, a timer, the poll).
   */
  private lookNow(wake = true): void {
    const p = this.phase.name;
    if (p === 'starting') {
      this.lookAfterStart = true;
      return;
    }
    if (p !== 'following' && p !== 'waiting') return;
    if (!this.byName && !(this.retryUntilOpen && p === 'waiting')) return;
    // The file seen was at the name at some moment after this (not after the look returns: the process
    // may be descheduled in between, and a copy born meanwhile must not seem born while it was there).
    const seenAt = Date.now();
    let look = lookAt(this.name);
    const current = this.gens.current;
    // A file whose reads failed is not taken again while the name leads to it.
    const bad = this.unreadable;
    if (look.kind === 'file' && bad && look.st.dev === bad.dev && look.st.ino === bad.ino) {
      look = { kind: 'inaccessible', error: Object.assign(new Error('EIO'), { code: 'EIO' }) };
    }
    // By descriptor, waiting for a first file (--retry): what comes at the name and is no file to follow
    // is given up, as GNU tail gives it up.
    if (!this.byName && look.kind === 'untailable') return this.giveUp(look.st);
    const fresh = look.kind === 'file' && !current?.isSameFile(look.st);
    if (look.kind === 'file' && !fresh) current!.seenAtName = seenAt;
    const deleted = look.kind === 'missing' && current !== undefined && current.linkCount() === 0;
    this.enter(transition(this.phase, { type: 'look', look, fresh, deleted }, this.name), seenAt);
    if (!this.byName) {
      if (wake) this.hint();
      return;
    }
    // An arrival, for the count of what came and went, is a file now held at the name (one seen but gone
    // before it could be opened is not: it is found in the directory, or reported), or a directory.
    const now = this.gens.current;
    const seen = now ? (now === current ? this.lastSeen : identityOf(now)) : look.kind === 'untailable' ? identity(look.st) : undefined;
    if (seen !== undefined && seen !== this.lastSeen) this.names.arrival();
    this.lastSeen = seen;
    if (fresh && look.kind === 'file' && (!now || identityOf(now) !== identity(look.st))) this.glimpsed(look.st);
    // Before anything of a new file is read: files that held the name in between, unseen (also when
    // the file seen was gone again before it could be opened: it is one of them).
    if (fresh) this.arrived();
    if (wake) this.hint();
  }

  /**
   * A look saw a file at the name that was gone before it could be opened (or was replaced by the next
   * one meanwhile). It held the name, and its events are accounted for: it is read from where it was
   * renamed to, if it was, or reported as missed (deleted: nothing of it can be read any more).
   */
  private glimpsed(st: Stats): void {
    const again = lookAt(this.name);
    if (again.kind === 'file' && identity(again.st) === identity(st)) return; // still there: it could not be opened (reported)
    if (this.gens.knows(st)) return;
    this.names.arrival();
    if (!this.rotated.findMoved(st)) this.report(notices.missed(this.name, 1));
  }

  /**
   * A file came to the name. Where the name's events are counted, whether files held it unseen in
   * between is known once the events up to now are in ({@link settled}); until then nothing of a file
   * that came to the name is read. Elsewhere the directory is searched at once, by birth times only.
   */
  private arrived(): void {
    this.rotated.arrived();
    if (!this.names.counting) return this.rotated.sweep();
    this.awaitCount();
  }

  /** Asks for the name's events up to now to be counted; files listed until now wait for it. */
  private awaitCount(): void {
    this.countDue = this.names.settleSoon();
    this.rotated.awaitCount(this.countDue);
  }

  /**
   * The name's events up to count `covered` are in: if more files came and went than were seen, look
   * for them, and report what is still unaccounted for; reading waiting for the count goes on.
   */
  private settled(covered: number): void {
    const p = this.phase.name;
    if (p === 'closed' || p === 'finished' || p === 'starting' || !this.byName) return;
    if (this.names.unaccounted > 0) this.rotated.sweep();
    const left = this.names.unaccounted;
    // Files seen arriving since this count was asked for are not in it, but their events may be: what is
    // left over is judged (reported) once they are counted too. An even count is even as it stands.
    const later = this.names.arrivalsPending;
    if (left === 0) this.rotated.counted(covered, true, !later);
    else if (!later) {
      this.rotated.counted(covered, false, true);
      this.report(notices.missed(this.name, Math.ceil(left / 2)));
      this.names.forgive(this.lastSeen !== undefined);
    }
    if (this.countDue !== 0 && this.countDue <= covered) {
      this.countDue = 0;
      this.hint();
    }
  }

  /** Opens the file found at `file` (in the directory), if it is still the file `seen`, and claims it. */
  private pinAt(file: string, seen: Stats): Generation | undefined {
    try {
      const { gen } = Generation.pin(file, this.name, this.context);
      if (!gen.isSameFile(seen)) {
        void gen.dispose(); // just opened: closed at once
        return undefined;
      }
      this.host.readers.claim(gen, this);
      return gen;
    } catch {
      return undefined; // gone meanwhile
    }
  }

  /** Applies a transition: retire, pin, report, and enter its phase. */
  private enter(step: Step, seenAt = Date.now()): void {
    if (this.isClosed) return;
    if (step.retire) this.retire();
    let final = step;
    if (step.pin && this.phase.name !== 'starting') {
      try {
        this.pinCurrent(seenAt);
        void this.names.follow(this.opts.follow === 'descriptor');
      } catch (error) {
        final = openFailed(this.phase, error as NodeJS.ErrnoException, this.name);
      }
    }
    this.phase = final.phase;
    for (const notice of final.notices ?? []) this.report(notice);
    if (final.phase.name === 'finished' || final.phase.name === 'finishing') this.names.stopWatchingName();
  }

  /**
   * Opens and holds the file now at the name as the current generation. A file another follower drains
   * after it left that follower's name is now this name's: that follower stops reading it, and this one
   * reads it from its start (GNU tail's "has been replaced; following new file"), or, for a file a glob
   * found, from where the other one was (a rename between two matches is not a new file).
   */
  private pinCurrent(seenAt: number): { gen: Generation; adopted: boolean } {
    const { gen, st } = Generation.pin(this.name, this.name, this.context);
    // A file renamed away and back again: the one still drained goes on, where it was.
    const back = this.gens.draining.find((g) => g.isSameFile(st));
    if (back) {
      void gen.dispose(); // just opened: closed at once
      this.gens.remove(back);
    }
    const taken = back ?? this.host.readers.takeOver(this, gen, st, this.discovered);
    // By descriptor, the file first opened is the one followed from now on, whatever its name does.
    if (this.retryUntilOpen) {
      this.retryUntilOpen = false;
      this.names.stopWatchingName();
    }
    taken.file.pinned = false;
    taken.leftAt = undefined;
    this.gens.setCurrent(taken);
    taken.seenAtName = seenAt;
    this.rotated.newCurrent(taken.file.born);
    return { gen: taken, adopted: taken !== gen };
  }

  /** The file at the name left it: drain it, unless another follower reads it at its own name now. */
  private retire(): void {
    const gen = this.gens.current;
    if (!gen) return;
    let st: Stats | undefined;
    try {
      st = gen.file.statNow();
    } catch {
      st = undefined;
    }
    if (st && this.host.readers.readAtOtherName(this, st)) {
      this.forget(gen);
      return;
    }
    this.gens.retireCurrent();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** Reads one chunk from the oldest held file that has one. */
  private async readHeld(lines: Line[]): Promise<'lines' | 'again' | 'wait' | 'eof'> {
    const stamp = this.gens.stamp;
    for (const gen of this.gens.all) {
      // Handed over to another follower (or dropped) since the list was taken.
      if (!this.gens.holds(gen)) continue;
      // A file a glob found that left its name may be at another match now: the session looks for new
      // matches before anything more of it is read here (it is then read under the name it holds).
      if (this.awaitsScan(gen)) {
        this.hint();
        return 'wait';
      }
      // Nothing read yet of a file that came to the name while followed: a copytruncate may have copied
      // an earlier content away, to be read first (nothing else can tell once the new content is read).
      const unread = gen.offset === 0 && gen.firstBytes.length === 0 && this.byName && gen !== this.first;
      if (unread) {
        // Files that held the name unseen before it are found once the events up to its arrival are in.
        if (this.countDue !== 0) return 'wait';
        const before = this.gens.stamp;
        if (this.findCopy() || this.gens.stamp !== before || !this.gens.holds(gen)) return 'again';
        // The look for copies was put off until the name's events are counted (or a file that came meanwhile
        // asked for a count): not a byte of it is read before, nor is it let go as quiet. A copy made
        // since the last look objects to one read only, and may have done so already.
        if (this.countDue !== 0) return 'wait';
        // A rotated file no look can tell a copy of it from a file that held the name unseen: the
        // name's events can, once counted.
        if (this.rotated.uncounted && this.names.counting) {
          this.awaitCount();
          return 'wait';
        }
      }
      let n: number;
      try {
        // A copy made of it may have come between the look for copies and the read: its first bytes
        // are kept only if no rotated-name file says otherwise.
        const mayFrame = (chunk: Buffer) =>
          !this.gens.insertedBefore(gen, stamp) &&
          this.gens.holds(gen) &&
          !this.olderGrew(gen) &&
          !this.scanPending(gen) &&
          !(unread && this.rotated.contradicts(gen, chunk));
        n = await gen.read(lines, mayFrame);
        this.chunk = gen.takeChunk();
      } catch (error) {
        if (this.isClosed) return 'eof';
        if (!this.gens.holds(gen)) return 'again';
        await this.dropUnreadable(gen, error as NodeJS.ErrnoException);
        return 'again';
      }
      if (this.isClosed) return 'eof';
      if (!this.gens.holds(gen)) return 'again';
      if (gen.file.lost && !this.reportedLost.has(gen)) {
        this.reportedLost.add(gen);
        this.report(notices.lostWhileParked(this.name));
      }
      // An older file was found while this one was read: read that first.
      if (n === SET_ASIDE) return 'again';
      if (n === REWRITTEN) {
        this.truncated(gen);
        return 'again';
      }
      if (n > 0) {
        this.dirty = true;
        this.looked = false;
        this.readBytes = true;
        this.origin = gen.origin;
        return 'lines';
      }
      // At its end: truncated meanwhile? Then its new content comes before anything of a newer file.
      if (this.wasTruncated(gen)) {
        this.truncated(gen);
        return 'again';
      }
      // A file that left the name, read out and quiet long enough, is released now: under a writer that
      // never pauses the newest file always has more, and the old ones must not pile up meanwhile.
      if (this.gens.isQuiet(gen) && this.phase.name !== 'finishing') {
        this.gens.remove(gen);
        await this.release(gen);
        if (this.isClosed) return 'eof';
      }
    }
    return 'eof';
  }

  /**
   * True while `gen`, a file a glob found that left its name, waits for a scan of the globs that began
   * after it left (asked for the first time it is asked about): if it is at another match, the follower
   * of that name takes it over where it was.
   */
  private awaitsScan(gen: Generation): boolean {
    if (!this.discovered || gen === this.gens.current) return false;
    if (!this.scanDue.has(gen)) this.scanDue.set(gen, this.host.scanSoon());
    return this.scanPending(gen);
  }

  /** True when `gen` left the name of a glob's follower and the scan it waits for (if asked yet) has not finished. */
  private scanPending(gen: Generation): boolean {
    return this.discovered && gen !== this.gens.current && this.host.scans < (this.scanDue.get(gen) ?? Infinity);
  }

  /**
   * True when a file read before `gen` (an older one) has more to read now: it was at its end when this
   * pass came by, and was written to since (late writes after a rotation). A chunk of `gen` read
   * meanwhile waits, so that the older file's lines, written first, come out first.
   */
  private olderGrew(gen: Generation): boolean {
    for (const older of this.gens.all) {
      if (older === gen) return false;
      if (older.atEof && older.hasMore()) return true;
    }
    return false;
  }

  /** True when `gen` was truncated or rewritten in place (a read error here is reported, and means no). */
  private wasTruncated(gen: Generation): boolean {
    try {
      return gen.wasTruncated();
    } catch (error) {
      this.report(notices.readError(this.name, error as NodeJS.ErrnoException));
      return false;
    }
  }

  /** At the end of every held file: looks at the name (and at copies still to judge). True when there is more to read. */
  private recheck(): boolean {
    const current = this.gens.current;
    let again = false;
    if (this.byName) {
      const stamp = this.gens.stamp;
      if (this.rotated.pending) this.findCopy();
      else this.lookNow(false);
      if (this.gens.current !== current || this.gens.stamp !== stamp) again = true;
    }
    return again;
  }

  /**
   * Truncated or rewritten in place: read again from the first byte. A `copytruncate` rotation copied the
   * file first: when that copy is found and holds more than was read, the rest is read from it first, so
   * that nothing written before the truncation is lost.
   */
  private truncated(gen: Generation): void {
    this.report(notices.truncated(this.name));
    // Read anew from its first byte: copies made of contents it held since are looked for before it,
    // like for any file nothing was read of (the file there at the start is no exception any more).
    if (gen === this.first) this.first = undefined;
    if (!this.byName || !this.rotated.takeCopy(this.out, gen)) this.rotated.restart(gen, this.out, true);
  }

  /**
   * Looks for a copy a `copytruncate` rotation made of a held file whose truncation was not seen as such
   * (see {@link RotatedFiles.takeCopy}). What is at the name first: a file rotated away unseen must be
   * found as such, not taken for a copy. True when a copy was found.
   */
  private findCopy(): boolean {
    if (!this.byName || this.isClosed) return false;
    this.lookNow(false);
    if (this.names.unaccounted > 0) {
      // Files held the name unseen: where the name's events are counted, they are looked for once the
      // events up to now are in (an unseen file and a copy are told apart by them); copies wait for that.
      if (!this.names.counting) this.rotated.sweep();
      else {
        this.awaitCount();
        return false;
      }
    }
    if (!this.rotated.takeCopy(this.out)) return false;
    this.report(notices.truncated(this.name));
    return true;
  }

  /**
   * Every held file is read to its end: release the files that left the name and have been quiet for
   * `rotateWait`, end when nothing is left to wait for, else arm the trailing re-check.
   */
  private async afterDrain(): Promise<void> {
    if (this.phase.name === 'finishing') {
      for (const gen of this.gens.takeAll()) await this.release(gen);
      this.enter(transition(this.phase, { type: 'drained' }, this.name));
      return;
    }
    for (const gen of this.gens.quiet()) {
      this.gens.remove(gen);
      await this.release(gen);
    }
    if (this.isClosed) return;
    // Nothing held and nothing to wait for: by descriptor, the file was lost; a glob's file is gone.
    const over = this.gens.size === 0 && ((this.opts.follow === 'descriptor' && !this.retryUntilOpen) || (this.discovered && this.phase.name === 'waiting'));
    if (over) this.enter(transition(this.phase, { type: 'over' }, this.name));
    else this.scheduleRecheck();
  }

  /**
   * A read failed (EIO, ESTALE on NFS…): report it and let go of that file; a name followed by name is
   * looked up again, so another file at the name is read anew. Lines already read are kept.
   */
  private async dropUnreadable(gen: Generation, error: NodeJS.ErrnoException): Promise<void> {
    this.report(notices.readError(this.name, error));
    if (gen === this.gens.current) {
      this.unreadable = { dev: gen.dev, ino: gen.ino };
      if (!this.byName) this.failure = error;
      else this.enter(transition(this.phase, { type: 'unreadable' }, this.name));
    }
    this.gens.remove(gen);
    await this.release(gen);
  }

  /** Closes a file read to its end, after the checkpoint took what it needs from it. */
  private async release(gen: Generation): Promise<void> {
    this.rotated.released(gen);
    this.host.readers.release(gen);
    await this.host.resumer?.settle(gen.origin).catch(() => {});
    this.closes(gen.close(this.out));
  }

  /** Keeps `closed` (a file's descriptor being closed) until it settles, for {@link close} to wait on. */
  closes(closed: Promise<void>): void {
    this.releasing.add(closed);
    void closed.then(() => this.releasing.delete(closed));
  }

  /** Stops reading `gen` without emitting its unfinished line (another follower reads the file now). */
  private forget(gen: Generation): void {
    this.gens.remove(gen);
    this.host.readers.release(gen);
    this.closes(gen.dispose());
  }

  // ---------------------------------------------------------------------------------------------
  // Starting and resuming

  /**
   * With a checkpoint, the file last read under this name may have been rotated away while tail-async
   * was stopped: its rest is read first, like any rotated file, then the new one from its start.
   */
  private async resumeMovedAway(): Promise<void> {
    const resumer = this.host.resumer;
    if (!resumer || this.opts.follow === 'descriptor') return;
    let st: Stats | undefined;
    try {
      st = this.gens.current?.file.statNow();
    } catch {
      st = undefined;
    }
    const moved = await resumer.movedAway(this.name, st);
    if (!moved || this.isClosed) return;
    if (moved.storage !== 'plain') {
      const storage = moved.storage;
      return this.readHistory(resumePlan(this.name, { path: moved.path, storage }, moved.point, (s) => this.holds(s), (n) => this.report(n)));
    }
    const found = lookAt(moved.path);
    const gen = found.kind === 'file' ? this.pinAt(moved.path, found.st) : undefined;
    if (!gen) return;
    gen.startAt(atPoint(moved.point));
    this.gens.insertOlder(gen, gen.file.born);
    // Rotated after it while stopped too (rotated twice), never read: read after it, from their start.
    const [, ...newer] = resumePlan(this.name, { path: moved.path, storage: 'plain' }, moved.point, (s) => this.holds(s), (n) => this.report(n));
    for (const part of newer) {
      // A compressed file newer than a plain one: no rotation scheme makes that, and it could not be read in its place.
      if (part.storage !== 'plain') continue;
      const look = lookAt(part.path);
      const later = look.kind === 'file' ? this.pinAt(part.path, look.st) : undefined;
      if (later) this.gens.insertOlder(later, later.file.born);
    }
  }

  /** Reads `parts` (the name's history) before anything of the files the name holds. */
  private readHistory(parts: HistoryPart[]): void {
    if (parts.length === 0) return;
    this.history = new HistoryReader(this.name, parts, this.context.framing, (n) => this.report(n));
  }

  /** One chunk of the history; once it is all read, the files the name holds are read next. */
  private async pullHistory(history: HistoryReader): Promise<Line[]> {
    this.origin = undefined;
    const lines = await history.pull();
    if (history.done && this.history === history) {
      this.history = undefined;
      this.hint();
    }
    return lines;
  }

  /** True when `st` is a file this follower holds, or one another follower reads. */
  private holds(st: Stats): boolean {
    return this.gens.all.some((gen) => gen.isSameFile(st)) || this.host.readers.has(st);
  }

  // ---------------------------------------------------------------------------------------------

  private get isClosed(): boolean {
    return this.phase.name === 'closed';
  }

  /** Notices stop with `close()`: an operation cut short by closing is not news to anyone. */
  private report(notice: Notice): void {
    if (!this.isClosed) this.opts.onNotice(notice);
  }

  /** Something may have changed: the next pull reads. */
  private hint(): void {
    const p = this.phase.name;
    if (p === 'closed' || p === 'finished') return;
    this.dirty = true;
    this.host.notify();
  }

  private take(): Line[] | null {
    if (this.out.length === 0) return null;
    const lines = this.out;
    this.out = [];
    return lines;
  }

  private scheduleRecheck(): void {
    if (!this.readBytes || this.recheckTimer !== undefined) return;
    this.readBytes = false;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      this.looked = false;
      this.lookFirst = true;
      this.hint();
    }, TRAILING_RECHECK_MS);
  }
}

/** The identity of a file held (see `identity`). */
function identityOf(gen: Generation): string | undefined {
  try {
    const st = gen.file.statNow();
    return st ? identity(st) : undefined;
  } catch {
    return undefined;
  }
}
