import { stat } from 'node:fs/promises';
import { createReadStream, readdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Line } from './lines/line.js';
import type { ReadChunk } from './lines/chunk.js';
import { DEFAULT_FILE_START, type ResolvedOptions, type StartPosition } from './options.js';
import { TailError } from './errors.js';
import { notices } from './notices.js';
import { DirWatch } from './sources/dir-watch.js';
import { FileFollower } from './sources/file-follower.js';
import { StreamSource } from './sources/stream-source.js';
import { standardInput } from './sources/standard-input.js';
import { openStream, reopenFifo } from './sources/open-stream.js';
import { hasNotionalSize } from './sources/pseudo-file.js';
import type { Source, SourceHost } from './sources/source.js';
import type { Origin, Resumer } from './sources/resume.js';
import { Discovery } from './sources/discovery.js';
import { HandlePool } from './sources/handle-pool.js';
import { Readers } from './sources/readers.js';
import { compileGlob, isGlob } from './sources/glob.js';
import { quoteAlways } from './quote.js';
import { fromOsBytes, osPath } from './os-path.js';
import { isSiblingOfAny, rotatedAmong } from './history/siblings.js';

/** A directory listing is shared by the sources opened within this long (a glob opening a thousand files). */
const LISTING_MS = 1000;
/** The safety poll looks at about this many sources at a time (see {@link Session.pollSlice}). */
const POLL_SLICE_SOURCES = 250;
/** At most this many slices per poll round (each a timer wake-up). */
const MAX_POLL_SLICES = 8;
/** Shorter poll intervals are not sliced (a slice would come less than 10 ms after the last). */
const MIN_SLICED_INTERVAL = 100;

/** A source as given to the session: a path (or glob pattern), or a named stream. @internal */
export type SourceSpec = { readonly path: string } | { readonly name: string; readonly stream: Readable };

/** The smallest read {@link Session.limitReads} makes. */
const MIN_LIMITED_READ = 16 * 1024;

/**
 * Owns everything a tail needs while it runs: the sources, the directory watches and the safety poll.
 * It hands out one batch of lines per `nextBatch()`: selections first, in the order the sources were
 * given (so multi-file output reads like GNU tail's), then round robin, one read per source per turn,
 * so a busy file cannot starve a quiet one. Nothing is read until a batch is asked for.
 * @internal
 */
export class Session implements SourceHost {
  private readonly specs: readonly SourceSpec[];
  private readonly opts: ResolvedOptions;
  private sources: Source[] = [];
  private watch: DirWatch | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private waiter: (() => void) | undefined;
  private signalled = false;
  private next = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private discoveries: Discovery[] = [];
  /** A directory a glob watches changed, or the poll came round: scan for new files. */
  private discoverDue = false;
  /** Glob scans finished, and whether one is under way (see {@link scanSoon}). */
  scans = 0;
  private discovering = false;
  private stopped = false;
  private interrupted = false;
  private polls = 0;
  private pollCursor = 0;
  private idlePulls = 0;
  /** With a checkpoint: where files opened at the start resume. */
  resumer: Resumer | undefined;
  readonly pool: HandlePool;
  readonly readers = new Readers();
  /** The read buffer every file of the session reads into (see {@link readBuffer}). */
  private buffer = Buffer.alloc(0);
  /** The file the last batch came from (for the checkpoint). */
  lastOrigin: Origin | undefined;
  /** While shipping: about how many lines a read should hold at most (see {@link limitReads}). */
  private readLines: number | undefined;
  /** Bytes a line of a file takes, on average over the reads so far (while shipping). */
  private lineBytes = 0;
  /** Keep the bytes each batch was framed from (see {@link lastChunk}): set when shipping. */
  keepChunks = false;
  /** With {@link keepChunks}: the bytes the last batch was framed from, when it is one read of a file. */
  lastChunk: ReadChunk | undefined;
  /** The sources opened at the start, and how many of them were announced (see {@link announceEmpty}). */
  private initial: readonly Source[] = [];
  private announced = 0;

  constructor(specs: readonly SourceSpec[], opts: ResolvedOptions) {
    this.specs = specs;
    this.opts = opts;
    this.pool = new HandlePool(opts.maxOpenFiles);
  }

  /** Opens every source (reading nothing yet but what locating the start position needs). */
  async open(): Promise<void> {
    const following = this.opts.follow !== false;
    if (following && !this.opts.poll) this.watch = new DirWatch();
    const histories = this.operandHistories();
    for (const spec of this.specs) {
      if (this.closed) return;
      if ('path' in spec && histories.has(spec.path)) continue;
      if ('path' in spec && this.opts.glob && isGlob(spec.path) && !(await exists(spec.path))) {
        await this.openGlob(spec.path);
        continue;
      }
      const source = await this.createSource(spec);
      // Closed while it was being made: close() did not see it, so it is closed here, unstarted.
      if (this.closed) return source.close();
      this.sources.push(source);
      await source.start();
      if (this.stopped) source.stop();
    }
    this.initial = [...this.sources];
    // The safety poll; it also keeps the process alive while a source waits to be stopped.
    const waits = (s: Source) => s instanceof FileFollower || (s instanceof StreamSource && s.untilStopped);
    if (following && !this.closed && (this.discoveries.length > 0 || this.sources.some(waits))) {
      this.schedulePoll();
    }
  }

  /**
   * The next batch of lines; an empty batch when {@link Session.interrupt} was called; null once every
   * source has ended (then {@link Session.failure} tells whether some could not be read) or the session
   * was closed.
   */
  async nextBatch(): Promise<Line[] | null> {
    for (;;) {
      if (this.closed) return null;
      if (this.interrupted) {
        this.interrupted = false;
        return [];
      }
      this.signalled = false;
      if (this.discoverDue) await this.discover();
      const source = this.pick();
      this.announceEmpty(source && source.catchingUp ? this.initial.indexOf(source) : this.initial.length);
      if (source) {
        let lines: Line[] | null;
        try {
          lines = await source.pull();
        } catch (error) {
          if (this.closed) return null;
          throw new TailError(`error reading ${quoteAlways(source.name)}: ${(error as Error).message}`, {
            code: (error as NodeJS.ErrnoException).code ?? 'EIO',
            source: source.name,
            cause: error,
          });
        }
        const chunk = source.takeChunk?.();
        if (source.done && source instanceof FileFollower && source.discovered) this.forget(source);
        if (lines && lines.length > 0) {
          this.lastOrigin = source.origin;
          this.lastChunk = this.keepChunks && chunk ? this.keep(chunk) : undefined;
          if (this.readLines !== undefined && source.origin) this.measure(lines);
          this.idlePulls = 0;
          return lines;
        }
        // Pulls that give nothing only chain promises: now and then, let timers and I/O run, so that no
        // source that stays "ready" without data could ever starve the process.
        if (++this.idlePulls % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      if (this.sources.every((s) => s.done) && (this.discoveries.length === 0 || this.stopped || this.opts.follow === false)) {
        return null;
      }
      await this.wait();
    }
  }

  /** Bytes held by the sources for unfinished lines. */
  get bufferedBytes(): number {
    let n = 0;
    for (const s of this.sources) n += s.bufferedBytes;
    return n;
  }

  /** Makes a pending or the next `nextBatch()` return an empty batch (the consumer has other work). */
  interrupt(): void {
    this.interrupted = true;
    this.notify();
  }

  /** The names of the sources followed now (files matching a pattern included). */
  sourceNames(): string[] {
    return this.sources.map((s) => s.name);
  }

  /** Stops following: every source reads what is there now, then the session ends. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const d of this.discoveries) d.close();
    for (const s of this.sources) s.stop();
    this.notify();
  }

  /** Directory listings for sources opened together, kept for {@link LISTING_MS}. */
  private readonly listings = new Map<string, { at: number; entries: readonly string[] | undefined }>();

  listing(dir: string): readonly string[] | undefined {
    const now = Date.now();
    let cached = this.listings.get(dir);
    if (!cached || now - cached.at > LISTING_MS) {
      let entries: readonly string[] | undefined;
      try {
        entries = readdirSync(osPath(dir), { encoding: 'buffer' }).map(fromOsBytes);
      } catch {
        entries = undefined;
      }
      cached = { at: now, entries };
      if (this.listings.size >= 64) for (const [key, old] of this.listings) if (now - old.at > LISTING_MS) this.listings.delete(key);
      this.listings.set(dir, cached);
    }
    return cached.entries;
  }

  /**
   * A chunk read into the read buffer, to keep with its lines: when it fills most of the buffer, the
   * buffer goes with it (the next read gets a new one), else it is copied (a short read would keep all of it).
   */
  private keep(chunk: ReadChunk): ReadChunk {
    const { bytes } = chunk;
    if (bytes.buffer !== this.buffer.buffer || bytes.length < this.buffer.length / 2) return { ...chunk, bytes: Buffer.from(bytes) };
    this.buffer = Buffer.alloc(0);
    return chunk;
  }

  readBuffer(size: number): Buffer {
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(Math.max(size, this.readSize));
    return this.buffer;
  }

  /**
   * Reads hold about `lines` lines from now on (of the size lines had so far; the `readSize` option at
   * most, 16 KiB at least): what is read ahead of a consumer that takes lines `lines` at a time (pipeTo)
   * is then of that order, not a whole `readSize` (a read of 256 KiB is 2 600 lines of 100 bytes, kept
   * while they go out in parts).
   */
  limitReads(lines: number): void {
    this.readLines = lines;
  }

  get readSize(): number {
    const max = this.opts.readSize;
    if (this.readLines === undefined) return max;
    // Until a read tells how long lines are, the smallest read.
    return Math.min(max, Math.max(MIN_LIMITED_READ, Math.ceil(this.readLines * this.lineBytes)));
  }

  /** Learns how many bytes a line takes from the lines of a read. */
  private measure(lines: readonly Line[]): void {
    const perLine = (lines[lines.length - 1]!.end - lines[0]!.offset) / lines.length;
    if (!(perLine > 0)) return;
    this.lineBytes = this.lineBytes === 0 ? perLine : (7 * this.lineBytes + perLine) / 8;
  }

  notify(): void {
    this.signalled = true;
    const wake = this.waiter;
    this.waiter = undefined;
    wake?.();
  }

  /** Closes every source, watch and timer. Idempotent; resolves when all is released. */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    this.closed = true;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    for (const d of this.discoveries) d.close();
    this.watch?.close();
    this.notify();
    const results = await Promise.allSettled(this.sources.map((s) => s.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Tells the owner of the files opened at the start with nothing to show, before the source at index
   * `upTo` and after those before it: where their lines would have been (GNU prints their headers there).
   */
  private announceEmpty(upTo: number): void {
    const tell = this.opts.onEmptySelection;
    for (; this.announced < Math.min(upTo, this.initial.length); this.announced++) {
      const source = this.initial[this.announced]!;
      if (source.startedEmpty) tell?.(source.name);
    }
  }

  /** The source to read next: the first one still reading its selection, else the next ready one in turn. */
  private pick(): Source | undefined {
    const sources = this.sources;
    for (const s of sources) {
      if (s.catchingUp && s.ready) return s;
    }
    for (let i = 0; i < sources.length; i++) {
      const index = (this.next + i) % sources.length;
      const s = sources[index]!;
      if (s.ready) {
        this.next = index + 1;
        return s;
      }
    }
    return undefined;
  }

  private wait(): Promise<void> {
    if (this.signalled) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /**
   * Slices of the safety poll: with many sources, the timer fires a few times per `pollInterval`, and
   * each time looks at the next slice of them, so that a thousand files never hold the event loop for
   * the length of a thousand `stat`s at once. Every source is still looked at once per interval.
   */
  private get pollSlices(): number {
    if (this.opts.pollInterval < MIN_SLICED_INTERVAL) return 1;
    return Math.min(Math.max(Math.ceil(this.sources.length / POLL_SLICE_SOURCES), 1), MAX_POLL_SLICES);
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => this.pollSlice(), this.opts.pollInterval / this.pollSlices);
  }

  /** One slice of the safety poll (see {@link pollSlices}). */
  private pollSlice(): void {
    if (this.closed) return;
    const slices = this.pollSlices;
    const slice = Math.min(this.pollCursor, slices - 1);
    this.pollCursor = slice + 1;
    const sources = this.sources;
    const from = Math.floor((sources.length * slice) / slices);
    const to = Math.floor((sources.length * (slice + 1)) / slices);
    for (let i = from; i < to; i++) sources[i]!.poll();
    if (this.pollCursor === slices) {
      this.pollCursor = 0;
      this.pollRoundDone();
    }
    this.schedulePoll();
  }

  private pollRoundDone(): void {
    this.watch?.revalidate();
    // Globs are scanned again on every poll when nothing watches; with watches, every fifth poll is a
    // safety net for missed events (a full scan of a large directory is not free).
    this.polls++;
    if (this.discoveries.length > 0 && !this.stopped && (this.opts.poll || this.polls % 5 === 0)) {
      this.discoverDue = true;
      this.notify();
    }
  }

  /** Starts following every file that matches `pattern` now; in follow mode, watches for more. */
  private async openGlob(pattern: string): Promise<void> {
    const discovery = new Discovery(compileGlob(pattern), this.opts.follow === false ? undefined : this.watch, () => {
      this.discoverDue = true;
      this.notify();
    });
    const files = await discovery.scan();
    if (files.length === 0) {
      const notice = notices.noMatch(pattern);
      this.opts.onNotice(notice);
      if (this.opts.follow === false) this.failures.push({ name: pattern, failure: notice.error, message: notice.message });
    }
    if (this.opts.follow === false) discovery.close();
    else this.discoveries.push(discovery);
    const start = this.opts.start ?? DEFAULT_FILE_START;
    for (const file of this.notHistory(files)) await this.addFollower(file, start, this.opts.follow !== false, this.opts.backfill);
  }

  /**
   * With backfill, files given that are rotated forms of another file given (`app.log.1` beside `app.log`):
   * read as its history, not a second time as names of their own.
   */
  private operandHistories(): Set<string> {
    if (!this.opts.backfill) return new Set();
    return rotatedAmong(this.specs.flatMap((spec) => ('path' in spec && spec.path !== '-' ? [spec.path] : [])));
  }

  /** With backfill, matches that are rotated forms of another match or followed name are its history, not names of their own. */
  private notHistory(files: string[]): string[] {
    if (!this.opts.backfill) return files;
    const names = [...files, ...this.sources.map((s) => s.name)];
    return files.filter((file) => !isSiblingOfAny(file, names));
  }

  /** Files that started matching a glob since the last look: followed from their first byte. */
  private async discover(): Promise<void> {
    this.discoverDue = false;
    this.discovering = true;
    try {
      for (const discovery of this.discoveries) {
        for (const file of this.notHistory(await discovery.scan())) {
          if (this.closed || this.stopped) return;
          await this.addFollower(file, { fromByte: 1 }, true);
        }
      }
    } finally {
      this.discovering = false;
      this.scans++;
    }
  }

  scanSoon(): number {
    if (this.discoveries.length === 0) return 0;
    this.discoverDue = true;
    this.notify();
    // A scan under way may have listed the directory before the file moved: the next one counts.
    return this.scans + (this.discovering ? 2 : 1);
  }

  private async addFollower(file: string, start: StartPosition, discovered: boolean, backfill = false): Promise<void> {
    // A scan that ended after close() adds nothing: close() would not see it.
    if (this.closed) return;
    const follower = new FileFollower(file, this.opts, this, this.watch, start, discovered, backfill);
    this.sources.push(follower);
    await follower.start();
    if (this.stopped) follower.stop();
  }

  /** A file found by a glob is gone and released: drop its follower, so the glob can find it again. */
  private forget(source: FileFollower): void {
    this.sources = this.sources.filter((s) => s !== source);
    for (const d of this.discoveries) d.forget(source.name);
    void source.close();
  }

  /** Globs that matched nothing without follow: reported like missing files. */
  private readonly failures: Array<{ name: string; failure: NodeJS.ErrnoException; message: string }> = [];

  /** After the end: the error naming the sources that could not be read, if any. */
  failure(): TailError | undefined {
    const failed = [...this.sources.filter((s) => s.failure !== undefined), ...this.failures];
    const first = failed[0];
    if (!first?.failure) return undefined;
    const err = first.failure;
    const what = 'message' in first ? first.message : notices.cannotOpen(first.name, err).message;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
    return new TailError(what + more, { code: err.code ?? 'EIO', source: first.name, cause: err });
  }

  private async createSource(spec: SourceSpec): Promise<Source> {
    if ('stream' in spec) return new StreamSource(spec.name, spec.stream, this.opts, this);
    if (spec.path === '-') return await standardInput(this.opts, this);
    // FIFOs and devices cannot be read by position: read them as streams, from the start a file gets
    // (the last 10 lines by default, as GNU tail: only standard input is passed through by default).
    const st = await stat(osPath(spec.path)).catch(() => undefined);
    const fileStart = this.opts.start ?? DEFAULT_FILE_START;
    // Nor can files whose size is notional (/proc, /sys): read from their start to their end, once.
    if (st && (await hasNotionalSize(spec.path, st))) {
      return new StreamSource(spec.path, createReadStream(osPath(spec.path)), this.opts, this, { untilStopped: this.opts.follow !== false, start: fileStart });
    }
    if (st && !st.isFile() && !st.isDirectory()) {
      // Followed, a device is read and then waited on (`tail -f /dev/null`), and a FIFO read on from its
      // later writers, as GNU tail does; unfollowed, both end with their end.
      const following = this.opts.follow !== false;
      const path = spec.path;
      try {
        return new StreamSource(path, openStream(path, st), this.opts, this, {
          start: fileStart,
          untilStopped: following,
          next: following && st.isFIFO() ? () => reopenFifo(path) : undefined,
        });
      } catch {
        // not openable after all: the follower reports why, in GNU's words
      }
    }
    return new FileFollower(spec.path, this.opts, this, this.watch, this.opts.start ?? DEFAULT_FILE_START, false, this.opts.backfill);
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(osPath(file)).then(
    () => true,
    () => false,
  );
}
