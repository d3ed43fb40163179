import type { Line } from '../lines/line.js';
import type { ReadChunk } from '../lines/chunk.js';
import type { Origin, Resumer } from './resume.js';
import type { HandlePool } from './handle-pool.js';
import type { Readers } from './readers.js';

/**
 * What the session needs of a source of lines: a file follower or a stream. Sources never push data:
 * they say whether they have work (`ready`) and hand out at most one read's worth per `pull()`.
 * @internal
 */
export interface Source {
  /** The name lines carry in `source`. */
  readonly name: string;
  /** True when `pull()` may return lines without waiting for an outside event. */
  readonly ready: boolean;
  /** True when the source will never produce another line. */
  readonly done: boolean;
  /** True while the source is still reading the selection it had when it was started. */
  readonly catchingUp: boolean;
  /** True for a file opened with nothing to show from its start position. */
  readonly startedEmpty: boolean;
  /** Why the source gave up, when it could not be read at all. */
  readonly failure: NodeJS.ErrnoException | undefined;
  /** Opens the source and applies the start position. */
  start(): Promise<void>;
  /** Reads at most one chunk; returns its finished lines (maybe none), or null when nothing was there. */
  pull(): Promise<Line[] | null>;
  /** The safety poll: look again even without a hint. */
  poll(): void;
  /** Stop following: read what is there now, then end. */
  stop(): void;
  /** The file the lines of the last `pull()` came from (files only). */
  readonly origin: Origin | undefined;
  /**
   * The bytes the lines of the last `pull()` were framed from, once (files only): a view of the
   * session's read buffer, valid until its next read.
   */
  takeChunk?(): ReadChunk | undefined;
  /** Bytes held for unfinished lines (for memory accounting). */
  readonly bufferedBytes: number;
  /** Releases every handle, watch subscription and timer. Idempotent. */
  close(): Promise<void>;
}

/** What sources get from the session that owns them. @internal */
export interface SourceHost {
  /** Wakes the session: a source may have become ready. */
  notify(): void;
  /** With a checkpoint: where files opened at the start resume. */
  readonly resumer: Resumer | undefined;
  /** The cap on open files, shared by every file of the session. */
  readonly pool: HandlePool | undefined;
  /** Which follower reads which file (one file, one reader). */
  readonly readers: Readers;
  /** The entries of directory `dir`, read once for all the sources opened together (undefined if it cannot be read). */
  listing(dir: string): readonly string[] | undefined;
  /** A buffer of at least `size` bytes for the next read, reused (one read at a time per session). */
  readBuffer(size: number): Buffer;
  /** The largest read at once, in bytes (the `readSize` option, less while shipping: see `Session.limitReads`). */
  readonly readSize: number;
  /** Scans of the session's globs finished so far. */
  readonly scans: number;
  /**
   * Asks for the globs to be scanned again before the next read (a file a glob found left its name:
   * it may be at another match). Returns the count {@link scans} reaches once a scan that began after
   * now has finished (0 without globs).
   */
  scanSoon(): number;
}

