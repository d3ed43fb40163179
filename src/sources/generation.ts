import type { Stats } from 'node:fs';
import type { Line } from '../lines/line.js';
import type { ReadChunk } from '../lines/chunk.js';
import { Framer, type FramerOptions } from '../lines/framer.js';
import type { Origin } from './resume.js';
import { HEAD_BYTES, readHead } from './head.js';
import type { HandlePool } from './handle-pool.js';
import { FileRef } from './file-ref.js';
import { fdReader } from './read-at.js';
import type { StartPoint } from './start-position.js';
import type { CopiedFile } from './unseen.js';

const MIN_READ = 64 * 1024;

/** What {@link Generation.read} returns when the file was rewritten in place around the read. @internal */
export const REWRITTEN = -1;
/** What {@link Generation.read} returns when the chunk read was set aside (see its `mayFrame`). @internal */
export const SET_ASIDE = -2;

/**
 * Reading one generation of a followed name (one file, one inode): its read position, the framer that
 * holds its unfinished line, and a fingerprint of its first bytes that tells a file rewritten in place.
 * Reads always go through the descriptor, never by name, so a rename between two reads cannot mix two
 * files. One read at a time: a read asked for while another is under way waits for it.
 * @internal
 */
export class Generation {
  readonly file: FileRef;
  framer: Framer;
  private readonly context: GenerationContext;
  /** The name the lines are read under (changes when another follower takes the file over). */
  private name: string;
  origin: Origin;
  /** First bytes of the file as read so far (up to 1 KiB). */
  private head: Buffer = Buffer.alloc(0);
  private lastSize: number;
  private lastMtimeMs: number;
  /** Smallest next read: grows while reads come back full (a writer ahead), else {@link MIN_READ}. */
  private readAhead = MIN_READ;
  /** When the file last gave bytes (ms since epoch), or when it was opened or left its name. */
  lastGrowth: number;
  /** True once a read found nothing more. */
  atEof = false;
  /** Size when the generation was placed. */
  initialSize: number;
  /** When the file left the followed name (renamed away, deleted); undefined while it is at the name. */
  leftAt: number | undefined;
  /** When a look last saw the file at the followed name (ms since epoch; 0: never). */
  seenAtName = 0;
  private reading: Promise<number> | undefined;
  /** The bytes of the last read that framed lines (see {@link takeChunk}). */
  private chunk: ReadChunk | undefined;

  private constructor(file: FileRef, st: Stats, name: string, context: GenerationContext) {
    this.file = file;
    this.context = context;
    this.name = name;
    this.lastSize = st.size;
    this.lastMtimeMs = st.mtimeMs;
    this.initialSize = st.size;
    this.lastGrowth = Date.now();
    this.framer = new Framer({ ...context.framing, source: name });
    this.origin = this.makeOrigin();
  }

  /**
   * Opens the file at `path` now (see {@link FileRef.open}) as a generation read under `name` from its
   * first byte. Throws what {@link FileRef.open} throws.
   */
  static pin(path: string, name: string, context: GenerationContext): { gen: Generation; st: Stats } {
    const { file, st } = FileRef.open(path, context.pool);
    return { gen: new Generation(file, st, name, context), st };
  }

  get dev(): number {
    return this.file.dev;
  }

  get ino(): number {
    return this.file.ino;
  }

  /** Read position: the offset of the next byte to read. */
  get offset(): number {
    return this.framer.position;
  }

  /** Where the unfinished line held by the framer starts (the offset when none is held). */
  get lineStart(): number {
    return this.framer.unfinishedStart;
  }

  /** The first bytes read so far (up to 1 KiB): what a copy of this file would start with. */
  get firstBytes(): Buffer {
    return this.head;
  }

  /**
   * The file's first bytes (up to 1 KiB) and size now, read through the descriptor (what was read so
   * far when it is parked); undefined when it cannot be read.
   */
  now(): { head: Buffer; size: number; mtimeMs: number } | undefined {
    try {
      if (this.file.parked) return { head: this.head, size: this.lastSize, mtimeMs: this.lastMtimeMs };
      const fd = this.file.descriptor();
      const st = this.file.statNow();
      if (!st) return undefined;
      return { head: readHead(fd, Math.min(st.size, HEAD_BYTES)), size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      return undefined;
    }
  }

  /** What a copy of this file must look like (see unseen.ts `judgeCopy`). */
  get copied(): CopiedFile {
    return { readHead: this.head, lineStart: this.lineStart, now: () => this.now() };
  }

  /** True when `st` (a `stat` of some name) is this same file. */
  isSameFile(st: Stats): boolean {
    return this.file.isSame(st);
  }

  /**
   * Sets where reading starts, before the first read. `place` decides from the descriptor and the
   * file's status (a start position, a checkpoint). Started past the first byte, the fingerprint is
   * taken now, and the first read checks that the file did not change in between.
   */
  async place(place: (read: ReturnType<typeof fdReader>, fd: number, st: Stats) => Promise<StartPoint>): Promise<void> {
    await this.file.use(async (fd) => {
      const st = this.file.statNow()!;
      const at = await place(fdReader(fd), fd, st);
      this.startAt(at, at.offset === 0 ? Buffer.alloc(0) : readHead(fd, Math.min(st.size, HEAD_BYTES)));
      this.lastSize = st.size;
      this.lastMtimeMs = st.mtimeMs;
      this.initialSize = st.size;
    });
  }

  /** Starts reading at `at` (a checkpoint's point, or where another generation of this content stopped). */
  startAt(at: StartPoint, head: Buffer = Buffer.alloc(0)): void {
    this.framer = new Framer({ ...this.context.framing, source: this.name, startOffset: at.offset, skipLines: at.skipLines, firstLineNumber: at.firstLineNumber });
    this.head = head;
  }

  /** Lines read from now on carry `name` (the file was taken over by the follower of that name). */
  rename(name: string): void {
    this.name = name;
    this.framer.rename(name);
    this.origin = this.makeOrigin();
  }

  /**
   * Reads one chunk from the read position and frames it into `out`. Returns the number of bytes read;
   * {@link REWRITTEN} when the file turned out to have been rewritten in place (its first bytes changed)
   * around this read (the chunk is dropped: it may belong to another content); {@link SET_ASIDE} when
   * `mayFrame`, asked once the bytes are in, says no (the position stays, the same bytes are read again
   * later, and nothing of them is kept: an older file to read first appeared meanwhile).
   */
  read(out: Line[], mayFrame: (chunk: Buffer) => boolean = () => true): Promise<number> {
    const run = async (): Promise<number> => {
      // Closed under the open-file cap and unchanged since: nothing to read, no need to open it again.
      if (this.file.parked && this.parkedUnchanged()) {
        this.atEof = true;
        return 0;
      }
      try {
        return await this.file.use((fd) => this.readWith(fd, out, mayFrame), this.alsoAt());
      } catch (error) {
        if (!this.file.lost) throw error;
        this.atEof = true;
        return 0;
      }
    };
    const previous = this.reading;
    const next = previous ? previous.then(run, run) : run();
    this.reading = next;
    void next.finally(() => {
      if (this.reading === next) this.reading = undefined;
    }).catch(() => {});
    return next;
  }

  private async readWith(fd: number, out: Line[], mayFrame: (chunk: Buffer) => boolean): Promise<number> {
    const offset = this.framer.position;
    const size = Math.min(Math.max(this.lastSize - offset, this.readAhead), this.context.readSize);
    const buf = this.context.readBuffer?.(size) ?? Buffer.allocUnsafe(size);
    const bytesRead = await fdReader(fd)(buf, 0, size, offset);
    if (bytesRead === 0) {
      this.atEof = true;
      return 0;
    }
    const chunk = buf.subarray(0, bytesRead);
    if (!this.stillSameContent(fd, chunk, offset)) return REWRITTEN;
    if (!mayFrame(chunk)) return SET_ASIDE;
    this.growHead(chunk, offset);
    this.atEof = false;
    this.lastGrowth = Date.now();
    if (offset + bytesRead > this.lastSize) this.lastSize = offset + bytesRead;
    // A read that filled its buffer found a writer ahead of us: read more at once next time.
    this.readAhead = bytesRead === size ? Math.min(size * 2, this.context.readSize) : MIN_READ;
    const before = this.framer.heldLine;
    this.framer.push(chunk, out);
    // At the end of what the file holds now: its unfinished line, as far as it goes, if asked for.
    if (this.context.partialLines && bytesRead < size) this.framer.release(out);
    this.chunk = { bytes: chunk, offset, utf8: this.context.framing.encoding === 'utf8', before };
    return bytesRead;
  }

  /**
   * Checks a chunk just read against the fingerprint, and grows the fingerprint from it. A chunk that
   * overlaps the fingerprint is compared with it directly; a chunk further on is checked by reading the
   * first bytes again after it: a file truncated and rewritten between two looks would otherwise be read
   * at the old position, mid-line.
   */
  private stillSameContent(fd: number, chunk: Buffer, offset: number): boolean {
    const head = this.head;
    if (offset < head.length) {
      const overlap = Math.min(head.length - offset, chunk.length);
      return chunk.subarray(0, overlap).equals(head.subarray(offset, offset + overlap));
    }
    return head.length === 0 || readHead(fd, head.length).equals(head);
  }

  /** Grows the fingerprint from a chunk read at `offset` and kept. */
  private growHead(chunk: Buffer, offset: number): void {
    const head = this.head;
    if (offset <= head.length && head.length < HEAD_BYTES) {
      const extra = chunk.subarray(head.length - offset, HEAD_BYTES - offset);
      if (extra.length > 0) this.head = Buffer.concat([head, extra]);
    }
  }

  /**
   * The bytes the last read framed lines from, once (then forgotten): a view of the read buffer, valid
   * until the next read of the session.
   */
  takeChunk(): ReadChunk | undefined {
    const chunk = this.chunk;
    this.chunk = undefined;
    return chunk;
  }

  /**
   * True when the file was truncated (smaller than the read position) or rewritten in place (its first
   * bytes changed, though it may be as large as before). Synchronous and cheap when nothing changed: one
   * `fstat` (a `stat` of its path when parked, without opening it again).
   */
  wasTruncated(): boolean {
    const st = this.file.statNow();
    if (!st) return false;
    if (st.size < this.framer.position) return true;
    const changed = st.size !== this.lastSize || st.mtimeMs !== this.lastMtimeMs;
    this.lastSize = st.size;
    this.lastMtimeMs = st.mtimeMs;
    if (!changed || this.head.length === 0) return false;
    return !readHead(this.file.descriptor(this.alsoAt()), this.head.length).equals(this.head);
  }

  /**
   * After a truncation: emits the held unfinished line into `out` (those bytes were written) unless
   * `keepHeld` is false (another file continues it), then reads the file again from its first byte,
   * numbering lines from 1.
   */
  restart(out: Line[], flushHeld = true): void {
    if (flushHeld) this.framer.flush(out);
    this.framer = new Framer({ ...this.context.framing, source: this.name });
    const st = this.file.statNow();
    if (st) {
      this.lastSize = st.size;
      this.lastMtimeMs = st.mtimeMs;
    }
    this.head = Buffer.alloc(0);
    this.atEof = false;
  }

  /**
   * A cheap look for the safety poll: true when the file may hold something new (its size is not the
   * read position, or it was modified since the last check). At most one system call: none when
   * `nameStat`, a fresh `stat` of the followed name, is of this file.
   */
  looksChanged(nameStat?: Stats): boolean {
    let st: Stats | undefined;
    try {
      st = nameStat && this.isSameFile(nameStat) ? nameStat : this.file.statNow();
    } catch {
      return true;
    }
    if (!st) return false;
    return st.size !== this.framer.position || st.mtimeMs !== this.lastMtimeMs;
  }

  /** Parked: true when the file is still where it was parked, as large as the read position and not modified since. */
  private parkedUnchanged(): boolean {
    const st = this.file.statNow();
    return st !== undefined && st.size === this.lastSize && st.size === this.framer.position && st.mtimeMs === this.lastMtimeMs;
  }

  /**
   * True when the file holds bytes past the read position now (one `fstat`; a `stat` of its path when
   * parked). False when it cannot be looked at.
   */
  hasMore(): boolean {
    try {
      const st = this.file.statNow();
      return st !== undefined && st.size > this.framer.position;
    } catch {
      return false;
    }
  }

  /** Number of links of the file: 0 once it has been deleted (or lost while parked). */
  linkCount(): number {
    try {
      return this.file.statNow()?.nlink ?? 0;
    } catch {
      return 0;
    }
  }

  /** Bytes held for the unfinished line. */
  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  /** Emits the held unfinished line (if any) into `out` and closes the file (see {@link dispose}). */
  close(out: Line[]): Promise<void> {
    this.framer.flush(out);
    return this.dispose();
  }

  /**
   * Closes the file for good (the unfinished line, if any, is dropped); resolves when its descriptor is
   * closed (a read under way ends first).
   */
  dispose(): Promise<void> {
    return this.file.close();
  }

  /** More paths at which a parked file may be found again: the name it is read under. */
  private alsoAt(): string[] {
    return [this.name];
  }

  private makeOrigin(): Origin {
    return { source: this.name, dev: this.file.dev, ino: this.file.ino, born: this.file.btime, use: (fn) => this.file.use(fn, this.alsoAt()) };
  }
}

/** Framing options shared by every framer of a followed name. @internal */
export type FramingOptions = Omit<FramerOptions, 'startOffset' | 'skipLines' | 'firstLineNumber' | 'source'>;

/** What every generation of a followed name shares. @internal */
export interface GenerationContext {
  readonly framing: FramingOptions;
  /** Largest read at once, in bytes. */
  readonly readSize: number;
  /** Emit an unfinished line at the end of a read at once (see `EngineOptions.partialLines`). */
  readonly partialLines?: boolean;
  /** The open-file cap, when there is one. */
  readonly pool: HandlePool | undefined;
  /**
   * A buffer of at least `size` bytes to read into, reused from read to read (the framer copies what it
   * keeps, so a chunk is dead once framed): one per session, whose reads never overlap.
   */
  readonly readBuffer?: (size: number) => Buffer;
}
