import { open, type FileHandle } from 'node:fs/promises';
import { closeSync, fstatSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import type { Line } from '../lines/line.js';
import { Framer, type FramerOptions } from '../lines/framer.js';
import type { Origin } from './resume.js';
import { HEAD_BYTES } from './head.js';
import type { HandlePool, Parkable } from './handle-pool.js';
import { openByIdentity } from './find-file.js';

const MIN_READ = 64 * 1024;

/** What {@link Generation.read} returns when the file was rewritten in place around the read. @internal */
export const REWRITTEN = -1;

/**
 * One opened file (one "generation" of a followed name): the handle it is read through, its identity,
 * the framer holding its unfinished line, and a fingerprint of its first bytes. Reads always go through
 * the handle, never by name, so a rename between two reads cannot mix two files.
 *
 * Under a {@link HandlePool} cap, an idle generation may be parked: its handle is closed and everything
 * else kept. The next use opens the same file again, found by identity (also after a rename in its
 * directory), and carries on at the same offset. A file deleted, or moved to another directory, while
 * parked is lost: reads find nothing more, and the follower sees the name change as usual.
 * @internal
 */
export class Generation implements Parkable {
  readonly dev: number;
  readonly ino: number;
  framer: Framer;
  readonly origin: Origin;
  private handle: FileHandle | undefined;
  /** Path the file was opened at, or found at when it was parked: where it is looked for again. */
  private where: string;
  private readonly context: GenerationContext;
  /** Uses of the handle under way: it is not parked meanwhile. */
  private uses = 0;
  /** Never parked (an old file being drained after a rotation: its name no longer leads to it). */
  pinned = false;
  private disposed = false;
  /** Parked and then not found again. */
  lost = false;
  /** First bytes of the file as read so far (up to 1 KiB). */
  private head: Buffer;
  private lastSize: number;
  /** Smallest next read: grows while reads come back full (a writer ahead), else {@link MIN_READ}. */
  private readAhead = MIN_READ;
  private lastMtimeMs: number;
  /** When the file last gave bytes (ms since epoch), or when it was opened. */
  lastGrowth: number;
  /** True once a read found nothing more. */
  atEof = false;
  /** Size when the generation was opened. */
  readonly initialSize: number;

  private constructor(handle: FileHandle, path: string, st: Stats, head: Buffer, context: GenerationContext, framer: Framer) {
    this.handle = handle;
    this.where = path;
    this.context = context;
    this.dev = st.dev;
    this.ino = st.ino;
    this.head = head;
    this.lastSize = st.size;
    this.lastMtimeMs = st.mtimeMs;
    this.initialSize = st.size;
    this.framer = framer;
    this.lastGrowth = Date.now();
    this.origin = { source: context.framing.source, dev: st.dev, ino: st.ino, use: (fn) => this.use((handle) => fn(handle.fd)) };
  }

  /**
   * Opens `path` for reading. `place` decides, from the open handle and its size, where reading starts
   * and how lines are numbered. Throws the errno error (ENOENT, EACCES, EISDIR…) when it cannot be read.
   */
  static async open(
    path: string,
    context: GenerationContext,
    place?: (handle: FileHandle, st: Stats) => Promise<{ offset: number; skipLines: number; firstLineNumber: number }>,
  ): Promise<Generation> {
    const pool = context.pool;
    await pool?.reserve();
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      pool?.cancel();
      throw error;
    }
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
      const at = place ? await place(handle, st) : { offset: 0, skipLines: 0, firstLineNumber: 1 };
      // Read from the start, the fingerprint is made of the bytes the framer reads; started further on,
      // it is taken now, and the first read after it checks that the file did not change in between.
      const head = at.offset === 0 ? Buffer.alloc(0) : readHead(handle, Math.min(st.size, HEAD_BYTES));
      const framer = new Framer({ ...context.framing, startOffset: at.offset, skipLines: at.skipLines, firstLineNumber: at.firstLineNumber });
      const gen = new Generation(handle, path, st, head, context, framer);
      pool?.opened(gen);
      return gen;
    } catch (error) {
      pool?.cancel();
      await handle.close().catch(() => {});
      throw error;
    }
  }

  get parkable(): boolean {
    return this.handle !== undefined && this.uses === 0 && !this.pinned;
  }

  /** True while the handle is closed to stay under the open-file cap. */
  get parked(): boolean {
    return this.handle === undefined && !this.disposed;
  }

  async park(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    this.where = currentPath(handle.fd) ?? this.where;
    await handle.close().catch(() => {});
  }

  /**
   * Runs `fn` with the open handle, opening the file again first if it was parked. Throws ENOENT when a
   * parked file cannot be found any more, EBADF once the generation is closed.
   */
  async use<T>(fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    this.uses++;
    try {
      const handle = this.handle ?? (await this.reopen());
      this.context.pool?.touch(this);
      return await fn(handle);
    } finally {
      this.uses--;
    }
  }

  private async reopen(): Promise<FileHandle> {
    if (this.disposed) throw errno('EBADF', `'${this.context.framing.source}' is closed`);
    if (this.lost) throw errno('ENOENT', `'${this.context.framing.source}' is gone`);
    await this.context.pool?.reserve();
    const fd = openByIdentity([this.where, this.context.framing.source], this.dev, this.ino);
    if (fd) closeSync(fd.fd);
    const handle = fd && (await open(fd.path, 'r').catch(() => undefined));
    const found = handle && { path: fd.path, handle };
    if (!found || this.disposed) {
      this.context.pool?.cancel();
      await found?.handle.close().catch(() => {});
      if (!found && !this.disposed) {
        this.lost = true;
        this.context.onLost?.();
      }
      return this.reopen();
    }
    this.where = found.path;
    this.handle = found.handle;
    this.context.pool?.opened(this);
    return found.handle;
  }

  /** Read position: the offset of the next byte to read. */
  get offset(): number {
    return this.framer.position;
  }

  /** True when `st` (a `stat` of the followed name) is this same file. */
  isSameFile(st: Stats): boolean {
    return st.ino === this.ino && st.dev === this.dev;
  }

  /**
   * Reads one chunk from the read position, framing it into `out`. Returns the number of bytes read,
   * or {@link REWRITTEN} when the file turned out to have been rewritten in place (its first bytes
   * changed) around this read: the chunk is then dropped, since it may belong to another content.
   */
  async read(out: Line[]): Promise<number> {
    if (this.lost || (this.parked && this.parkedUnchanged())) {
      this.atEof = true;
      return 0;
    }
    return this.use((handle) => this.readWith(handle, out)).catch((error: unknown) => {
      if (!this.lost) throw error;
      this.atEof = true;
      return 0;
    });
  }

  private async readWith(handle: FileHandle, out: Line[]): Promise<number> {
    const offset = this.framer.position;
    const size = Math.min(Math.max(this.lastSize - offset, this.readAhead), this.context.readSize);
    const buf = this.context.readBuffer?.(size) ?? Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buf, 0, size, offset);
    if (bytesRead === 0) {
      this.atEof = true;
      return 0;
    }
    const chunk = buf.subarray(0, bytesRead);
    if (!this.stillSameContent(handle, chunk, offset)) return REWRITTEN;
    this.atEof = false;
    this.lastGrowth = Date.now();
    if (offset + bytesRead > this.lastSize) this.lastSize = offset + bytesRead;
    // A read that filled its buffer found a writer ahead of us: read more at once next time.
    this.readAhead = bytesRead === size ? Math.min(size * 2, this.context.readSize) : MIN_READ;
    this.framer.push(chunk, out);
    return bytesRead;
  }

  /**
   * Checks a chunk just read against the fingerprint, and grows the fingerprint from it. A chunk that
   * overlaps the fingerprint is compared with it directly; a chunk further on is checked by reading the
   * first bytes again after it: a file truncated and rewritten between two looks would otherwise be read
   * at the old position, mid-line. That read (at most 1 KiB, from the page cache) is synchronous, like
   * the safety poll's `fstat`: a round trip through the thread pool would add to every line's latency.
   */
  private stillSameContent(handle: FileHandle, chunk: Buffer, offset: number): boolean {
    const head = this.head;
    if (offset < head.length) {
      const overlap = Math.min(head.length - offset, chunk.length);
      if (!chunk.subarray(0, overlap).equals(head.subarray(offset, offset + overlap))) return false;
    } else if (head.length > 0 && !readHead(handle, head.length).equals(head)) {
      return false;
    }
    if (offset <= head.length && head.length < HEAD_BYTES) {
      const extra = chunk.subarray(head.length - offset, HEAD_BYTES - offset);
      if (extra.length > 0) this.head = Buffer.concat([head, extra]);
    }
    return true;
  }

  /**
   * True when the file was truncated (smaller than the read position) or rewritten in place (its first
   * bytes changed, though it may be as large as before). Cheap when nothing changed: one `fstat` (one
   * `stat` of its path when parked, without opening it again).
   */
  async wasTruncated(): Promise<boolean> {
    if (this.lost || (this.parked && this.parkedUnchanged())) return false;
    return this.use(async (handle) => {
      const st = await handle.stat();
      if (st.size < this.framer.position) return true;
      const changed = st.size !== this.lastSize || st.mtimeMs !== this.lastMtimeMs;
      this.lastSize = st.size;
      this.lastMtimeMs = st.mtimeMs;
      if (!changed || this.head.length === 0) return false;
      const now = readHead(handle, this.head.length);
      return !now.equals(this.head);
    }).catch((error: unknown) => {
      if (this.lost) return false;
      throw error;
    });
  }

  /**
   * After a truncation: emits the held unfinished line into `out` (those bytes were written), then reads
   * the file again from its first byte, numbering lines from 1.
   */
  async restart(out: Line[]): Promise<void> {
    this.framer.flush(out);
    this.framer = new Framer(this.context.framing);
    const st = await this.stat();
    this.lastSize = st.size;
    this.lastMtimeMs = st.mtimeMs;
    this.head = Buffer.alloc(0);
    this.atEof = false;
  }

  /** The open file's status. */
  stat(): Promise<Stats> {
    return this.use((handle) => handle.stat());
  }

  /**
   * A cheap look for the safety poll: true when the file may hold something new (its size is not the
   * read position, or it was modified since the last check). No promise, and at most one system call:
   * none when `nameStat`, a fresh `stat` of the followed name, is of this file; else an `fstat` (a
   * `stat` of its path when parked).
   */
  looksChanged(nameStat?: Stats): boolean {
    if (this.lost) return false;
    if (this.parked) return !this.parkedUnchanged(nameStat);
    let st: Stats;
    try {
      // A stat of the name that leads to this very file says as much as an fstat.
      st = nameStat && this.isSameFile(nameStat) ? nameStat : fstatSync(this.handle!.fd);
    } catch {
      return true;
    }
    return st.size !== this.framer.position || st.mtimeMs !== this.lastMtimeMs;
  }

  /**
   * Parked: true when the file is still at the path it was parked at, as it was then. `nameStat`, a
   * fresh `stat` of the followed name, saves a second one when the name leads to this same file.
   */
  private parkedUnchanged(nameStat?: Stats): boolean {
    const same = nameStat !== undefined && nameStat.ino === this.ino && nameStat.dev === this.dev;
    const st = same ? nameStat : statSync(this.where, { throwIfNoEntry: false });
    return st !== undefined && st.ino === this.ino && st.dev === this.dev && st.size === this.lastSize && st.size === this.framer.position && st.mtimeMs === this.lastMtimeMs;
  }

  /** Number of links of the open file: 0 once it has been deleted (or lost while parked). */
  async linkCount(): Promise<number> {
    if (this.lost) return 0;
    return (await this.stat()).nlink;
  }

  /** Emits the held unfinished line (if any) into `out` and closes the handle. */
  async close(out: Line[]): Promise<void> {
    this.framer.flush(out);
    await this.dispose();
  }

  /** Closes the handle for good (the unfinished line, if any, is dropped). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const handle = this.handle;
    this.handle = undefined;
    this.context.pool?.closed(this);
    await handle?.close();
  }
}

/** Framing options shared by every framer of a followed file. @internal */
export type FramingOptions = Omit<FramerOptions, 'startOffset' | 'skipLines' | 'firstLineNumber'>;

/** What every generation of a followed file shares. @internal */
export interface GenerationContext {
  readonly framing: FramingOptions;
  /** Largest read at once, in bytes. */
  readonly readSize: number;
  /** The open-file cap, when there is one. */
  readonly pool: HandlePool | undefined;
  /** Told when a parked file cannot be found again. */
  readonly onLost?: () => void;
  /**
   * A buffer of at least `size` bytes to read into, reused from read to read (the framer copies what it
   * keeps, so a chunk is dead once framed): one per session, whose reads never overlap.
   */
  readonly readBuffer?: (size: number) => Buffer;
}

/**
 * The first `length` bytes of the file (fewer if it is shorter). Synchronous: at most 1 KiB, from the
 * page cache, like the safety poll's `fstat`; a thread-pool round trip would add to every line's latency.
 */
function readHead(handle: FileHandle, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(handle.fd, buf, done, length - done, done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** Where the file open as `fd` is now (Linux), so a parked file is looked for where it really is. */
function currentPath(fd: number): string | undefined {
  try {
    const link = readlinkSync(`/proc/self/fd/${fd}`);
    return link.startsWith('/') && !link.endsWith(' (deleted)') ? link : undefined;
  } catch {
    return undefined;
  }
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
