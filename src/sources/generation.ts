import { open, type FileHandle } from 'node:fs/promises';
import { fstatSync, type Stats } from 'node:fs';
import type { Line } from '../lines/line.js';
import { Framer, type FramerOptions } from '../lines/framer.js';
import type { Origin } from '../checkpoint/ledger.js';
import { HEAD_BYTES } from '../checkpoint/fingerprint.js';
import { readAt } from './read-at.js';

const MIN_READ = 64 * 1024;

/** What {@link Generation.read} returns when the file was rewritten in place around the read. @internal */
export const REWRITTEN = -1;

/**
 * One opened file (one "generation" of a followed name): the handle it is read through, its identity,
 * the framer holding its unfinished line, and a fingerprint of its first bytes. Reads always go through
 * the handle, never by name, so a rename between two reads cannot mix two files.
 * @internal
 */
export class Generation {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
  framer: Framer;
  private readonly framing: FramingOptions;
  /** First bytes of the file as read so far (up to 1 KiB). */
  private head: Buffer;
  private lastSize: number;
  private lastMtimeMs: number;
  private readonly readSize: number;
  /** When the file last gave bytes (ms since epoch), or when it was opened. */
  lastGrowth: number;
  /** True once a read found nothing more. */
  atEof = false;
  /** Size when the generation was opened. */
  readonly initialSize: number;

  private constructor(handle: FileHandle, st: Stats, head: Buffer, framing: FramingOptions, framer: Framer, readSize: number) {
    this.handle = handle;
    this.framing = framing;
    this.dev = st.dev;
    this.ino = st.ino;
    this.head = head;
    this.lastSize = st.size;
    this.lastMtimeMs = st.mtimeMs;
    this.initialSize = st.size;
    this.framer = framer;
    this.readSize = readSize;
    this.lastGrowth = Date.now();
  }

  /**
   * Opens `path` for reading. `place` decides, from the open handle and its size, where reading starts
   * and how lines are numbered. Throws the errno error (ENOENT, EACCES, EISDIR…) when it cannot be read.
   */
  static async open(
    path: string,
    framing: FramingOptions,
    readSize: number,
    place?: (handle: FileHandle, st: Stats) => Promise<{ offset: number; skipLines: number; firstLineNumber: number }>,
  ): Promise<Generation> {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
      const at = place ? await place(handle, st) : { offset: 0, skipLines: 0, firstLineNumber: 1 };
      // Read from the start, the fingerprint is made of the bytes the framer reads; started further on,
      // it is taken now, and the first read after it checks that the file did not change in between.
      const head = at.offset === 0 ? Buffer.alloc(0) : await readHead(handle, Math.min(st.size, HEAD_BYTES));
      const framer = new Framer({ ...framing, startOffset: at.offset, skipLines: at.skipLines, firstLineNumber: at.firstLineNumber });
      return new Generation(handle, st, head, framing, framer, readSize);
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  /** What a checkpoint needs to name this file: its path, identity and the handle to fingerprint it. */
  get origin(): Origin {
    return { source: this.framing.source, dev: this.dev, ino: this.ino, handle: this.handle };
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
    const offset = this.framer.position;
    const size = Math.min(Math.max(this.lastSize - offset, MIN_READ), this.readSize);
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await this.handle.read(buf, 0, size, offset);
    if (bytesRead === 0) {
      this.atEof = true;
      return 0;
    }
    const chunk = buf.subarray(0, bytesRead);
    if (!(await this.stillSameContent(chunk, offset))) return REWRITTEN;
    this.atEof = false;
    this.lastGrowth = Date.now();
    if (offset + bytesRead > this.lastSize) this.lastSize = offset + bytesRead;
    this.framer.push(chunk, out);
    return bytesRead;
  }

  /**
   * Checks a chunk just read against the fingerprint, and grows the fingerprint from it. A chunk that
   * overlaps the fingerprint is compared with it directly; a chunk further on is checked by reading the
   * first bytes again after it: a file truncated and rewritten between two looks would otherwise be read
   * at the old position, mid-line.
   */
  private async stillSameContent(chunk: Buffer, offset: number): Promise<boolean> {
    const head = this.head;
    if (offset < head.length) {
      const overlap = Math.min(head.length - offset, chunk.length);
      if (!chunk.subarray(0, overlap).equals(head.subarray(offset, offset + overlap))) return false;
    } else if (head.length > 0 && !(await readHead(this.handle, head.length)).equals(head)) {
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
   * bytes changed, though it may be as large as before). Cheap when nothing changed: one `fstat`.
   */
  async wasTruncated(): Promise<boolean> {
    const st = await this.handle.stat();
    if (st.size < this.framer.position) return true;
    const changed = st.size !== this.lastSize || st.mtimeMs !== this.lastMtimeMs;
    this.lastSize = st.size;
    this.lastMtimeMs = st.mtimeMs;
    if (!changed || this.head.length === 0) return false;
    const now = await readHead(this.handle, this.head.length);
    return !now.equals(this.head);
  }

  /**
   * After a truncation: emits the held unfinished line into `out` (those bytes were written), then reads
   * the file again from its first byte, numbering lines from 1.
   */
  async restart(out: Line[]): Promise<void> {
    this.framer.flush(out);
    this.framer = new Framer(this.framing);
    const st = await this.handle.stat();
    this.lastSize = st.size;
    this.lastMtimeMs = st.mtimeMs;
    this.head = Buffer.alloc(0);
    this.atEof = false;
  }

  /**
   * A cheap look for the safety poll: true when the file may hold something new (its size is not the
   * read position, or it was modified since the last check). One synchronous `fstat`, no promise.
   */
  looksChanged(): boolean {
    try {
      const st = fstatSync(this.handle.fd);
      return st.size !== this.framer.position || st.mtimeMs !== this.lastMtimeMs;
    } catch {
      return true;
    }
  }

  /** Number of links of the open file: 0 once it has been deleted. */
  async linkCount(): Promise<number> {
    return (await this.handle.stat()).nlink;
  }

  /** Emits the held unfinished line (if any) into `out` and closes the handle. */
  async close(out: Line[]): Promise<void> {
    this.framer.flush(out);
    await this.handle.close();
  }
}

/** Framing options shared by every framer of a followed file. @internal */
export type FramingOptions = Omit<FramerOptions, 'startOffset' | 'skipLines' | 'firstLineNumber'>;

async function readHead(handle: FileHandle, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  return buf.subarray(0, await readAt(handle, buf, length, 0));
}
