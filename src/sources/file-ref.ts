import { closeSync, fstatSync, openSync, readlinkSync, statSync, type Stats } from 'node:fs';
import type { HandlePool, Parkable } from './handle-pool.js';
import { openByIdentity, READ_FLAGS } from './find-file.js';
import { osPath } from '../os-path.js';

/**
 * One file, known by its identity `(dev, ino)` and held through a descriptor. Under an open-file cap
 * ({@link HandlePool}) an idle file may be parked: its descriptor is closed, and the next use opens the
 * same file again, found by identity (also after a rename in its directory). A file deleted or moved to
 * another directory while parked is lost: uses then fail with ENOENT.
 *
 * Opening is synchronous: a file is opened the moment a look at its name sees it ("pinned"), so a file
 * that carries the name for a millisecond is held all the same. The open is non-blocking, so a FIFO that
 * took the name never blocks a thread.
 * @internal
 */
export class FileRef implements Parkable {
  readonly dev: number;
  readonly ino: number;
  /** Creation time (ms), or the status-change time where the file system keeps no birth time. */
  readonly born: number;
  /** The birth time as the file system keeps it (0 where it keeps none). */
  readonly btime: number;
  private fd: number | undefined;
  /** Path the file was opened at, or found at when it was parked: where it is looked for again. */
  private where: string;
  private readonly pool: HandlePool | undefined;
  /** Uses of the descriptor under way: it is not parked meanwhile. */
  private uses = 0;
  /** Never parked (a file that left its name: the name no longer leads to it). */
  pinned = false;
  private phase: 'open' | 'parked' | 'lost' | 'closed' = 'open';
  /** While a close waits for the uses under way: settles when the descriptor is closed. */
  private released: Promise<void> | undefined;
  private onReleased: (() => void) | undefined;

  private constructor(fd: number, path: string, st: Stats, pool: HandlePool | undefined) {
    this.fd = fd;
    this.where = path;
    this.pool = pool;
    this.dev = st.dev;
    this.ino = st.ino;
    this.born = birthOf(st);
    this.btime = st.birthtimeMs;
  }

  /**
   * Opens `path` now. Returns the file and its status; throws the errno error (ENOENT, EACCES, ELOOP…),
   * or an {@link untailable} error when it is not a regular file (a directory, a FIFO, a device).
   */
  static open(path: string, pool: HandlePool | undefined): { file: FileRef; st: Stats } {
    pool?.reserve();
    let fd: number;
    try {
      fd = openSync(osPath(path), READ_FLAGS);
    } catch (error) {
      pool?.cancel();
      throw error;
    }
    let st: Stats;
    try {
      st = fstatSync(fd);
      if (!st.isFile()) throw untailable(path, st);
    } catch (error) {
      pool?.cancel();
      closeSync(fd);
      throw error;
    }
    const file = new FileRef(fd, path, st, pool);
    pool?.opened(file);
    return { file, st };
  }

  /**
   * True when `st` is this file. An inode number is reused once its file is gone (a parked file deleted,
   * a new one created): where the file system keeps birth times, they must agree too.
   */
  isSame(st: Stats): boolean {
    return st.ino === this.ino && st.dev === this.dev && st.birthtimeMs === this.btime;
  }

  get parkable(): boolean {
    return this.phase === 'open' && this.uses === 0 && !this.pinned;
  }

  /** True while the descriptor is closed to stay under the open-file cap. */
  get parked(): boolean {
    return this.phase === 'parked';
  }

  private get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** True once the file was parked and then not found again. */
  get lost(): boolean {
    return this.phase === 'lost';
  }

  park(): void {
    if (this.phase !== 'open' || this.fd === undefined) return;
    this.where = currentPath(this.fd) ?? this.where;
    closeQuietly(this.fd);
    this.fd = undefined;
    this.phase = 'parked';
  }

  /**
   * Runs `fn` with an open descriptor, opening the file again first if it was parked (`alsoAt`: more
   * paths to look at). Rejects with ENOENT when a parked file cannot be found, EBADF once closed.
   */
  async use<T>(fn: (fd: number) => Promise<T>, alsoAt: readonly string[] = []): Promise<T> {
    if (this.phase === 'closed') throw errno('EBADF', 'file is closed');
    this.uses++;
    try {
      const fd = this.fd ?? this.reopen(alsoAt);
      this.pool?.touch(this);
      return await fn(fd);
    } finally {
      // A close asked for during this use waited for it: the descriptor number must not be reused by
      // another open while a read through it is still under way in the thread pool.
      if (--this.uses === 0 && this.isClosed) this.release();
    }
  }

  /** The descriptor now, opening the file again if it was parked (synchronous; see {@link use}). */
  descriptor(alsoAt: readonly string[] = []): number {
    if (this.phase === 'closed') throw errno('EBADF', 'file is closed');
    const fd = this.fd ?? this.reopen(alsoAt);
    this.pool?.touch(this);
    return fd;
  }

  /**
   * The file's status without opening it again: an `fstat`, or a `stat` of the path it was parked at
   * (undefined when it is not there any more). Throws EBADF once closed.
   */
  statNow(): Stats | undefined {
    if (this.phase === 'closed') throw errno('EBADF', 'file is closed');
    if (this.fd !== undefined) return fstatSync(this.fd);
    if (this.phase === 'lost') return undefined;
    const st = statSync(osPath(this.where), { throwIfNoEntry: false });
    return st && this.isSame(st) ? st : undefined;
  }

  /**
   * Closes the descriptor for good, once the uses under way are over: resolves when it is closed.
   * Idempotent.
   */
  close(): Promise<void> {
    if (this.phase !== 'closed') {
      this.phase = 'closed';
      this.pool?.closed(this);
      if (this.uses === 0) this.release();
      else this.released = new Promise((resolve) => (this.onReleased = resolve));
    }
    return this.released ?? Promise.resolve();
  }

  private release(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeQuietly(fd);
    this.onReleased?.();
  }

  private reopen(alsoAt: readonly string[]): number {
    if (this.phase === 'closed') throw errno('EBADF', 'file is closed');
    if (this.phase === 'lost') throw errno('ENOENT', 'file is gone');
    this.pool?.reserve();
    const found = openByIdentity([this.where, ...alsoAt], this.dev, this.ino);
    if (!found) {
      this.pool?.cancel();
      this.phase = 'lost';
      throw errno('ENOENT', 'file is gone');
    }
    this.where = found.path;
    this.fd = found.fd;
    this.phase = 'open';
    this.pool?.opened(this);
    return found.fd;
  }
}

/** The error for a path that leads to something other than a regular file. @internal */
export function untailable(path: string, st: Stats): NodeJS.ErrnoException {
  const code = st.isDirectory() ? 'EISDIR' : 'EUNTAILABLE';
  return Object.assign(new Error(`${code}: not a regular file, open '${path}'`), { code, untailable: true });
}

/** True for the error of {@link untailable}. @internal */
export function isUntailable(error: unknown): boolean {
  return (error as { untailable?: boolean } | undefined)?.untailable === true;
}

/** A creation time to order files by: the birth time, else (file systems without one) the change time. */
export function birthOf(st: Stats): number {
  return st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs;
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

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // EBADF/EIO on close: the descriptor is released either way
  }
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}
