import { open, stat, type FileHandle } from 'node:fs/promises';
import type { StartPosition } from '../options.js';
import type { Processor } from '../chain/types.js';
import { isGlob } from '../sources/glob.js';
import { startPoint } from '../sources/start-position.js';
import { fdReader } from '../sources/read-at.js';
import { hasNotionalSize } from '../sources/pseudo-file.js';
import type { CliOptions } from './args.js';
import { osPath } from '../os-path.js';

/** Largest read: big enough that system calls cost nothing next to the bytes moved. */
const BLOCK = 1 << 20;
/** Smallest buffer, for files that are small when opened but may grow while they are copied. */
const MIN_BLOCK = 64 * 1024;

/**
 * True when what the command prints of a file is exactly its bytes from the start position: no follow,
 * no processor, raw output without prefixes, and nothing that needs lines as such (`--max-line-bytes`
 * splits them, `--state-file` records where they end). The command then copies files in blocks instead
 * of framing lines; headers are still its own. An option that changes the bytes printed must be added here.
 * Standard input and patterns are left to the line engine by {@link FileCopy.open}.
 * @internal
 * @example
 * ```ts
 * canCopy(parseArgs(['-n', '+1', '--no-follow', 'app.log']), []); // true
 * canCopy(parseArgs(['-n', '+1', 'app.log']), []);                // false: follows
 * ```
 */
export function canCopy(options: CliOptions, processors: readonly Processor[]): boolean {
  return (
    options.follow === false &&
    processors.length === 0 &&
    options.output === 'raw' &&
    !options.prefix &&
    options.stateFile === undefined &&
    !options.backfill &&
    options.maxLineBytes === undefined
  );
}

/**
 * A regular file opened for copying, positioned where its selection (`-n`/`-c`, GNU semantics) begins.
 * One buffer serves every read; {@link copyTo} reads into it again only once the previous block was
 * taken. Closing is idempotent, and `await using` closes it on every way out.
 * @internal
 * @example
 * ```ts
 * await using file = await FileCopy.open('app.log', { fromLine: 1 }, 0x0a);
 * if (file) await file.copyTo(async (block) => (await write(block), true));
 * ```
 */
export class FileCopy implements AsyncDisposable {
  private readonly handle: FileHandle;
  private readonly delimiter: number;
  private readonly buf: Buffer;
  private position: number;
  /** `-n +N`: delimiters still to pass before the first byte printed. */
  private skipLines: number;
  private closed = false;

  private constructor(handle: FileHandle, delimiter: number, position: number, skipLines: number, size: number) {
    this.handle = handle;
    this.delimiter = delimiter;
    this.position = position;
    this.skipLines = skipLines;
    this.buf = Buffer.allocUnsafe(Math.min(Math.max(size - position, MIN_BLOCK), BLOCK));
  }

  /**
   * Opens `path` and finds where its selection starts. Undefined for standard input, a pattern, anything
   * but a regular file, a file whose size cannot be trusted (/proc: read as a stream), and whenever something fails before the first byte: the line engine then reads
   * it, and reports what went wrong in its words.
   */
  static async open(path: string, start: StartPosition, delimiter: number): Promise<FileCopy | undefined> {
    if (path === '-' || isGlob(path)) return undefined;
    // Stat first: opening a FIFO would wait for a writer (the engine reads FIFOs and devices as streams).
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile() || (await hasNotionalSize(path, st))) return undefined;
    const handle = await open(osPath(path), 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) throw new Error('no longer a regular file');
      const at = await startPoint(fdReader(handle.fd), opened.size, start, delimiter);
      return new FileCopy(handle, delimiter, at.offset, at.skipLines, opened.size);
    } catch {
      await handle.close().catch(() => {});
      return undefined;
    }
  }

  /**
   * Reads from the start position until a read returns nothing, handing each non-empty block to `write`.
   * `write` must resolve only once the block's memory may be overwritten, to false to stop early. Read
   * errors are thrown (errno errors).
   */
  async copyTo(write: (block: Buffer) => Promise<boolean>): Promise<void> {
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buf, 0, this.buf.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      const block = this.afterSkippedLines(this.buf.subarray(0, bytesRead));
      if (block.length > 0 && !(await write(block))) return;
    }
  }

  /** Releases the file; later calls do nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** What is left of `block` once the lines still to skip are passed; empty while they go on. */
  private afterSkippedLines(block: Buffer): Buffer {
    let from = 0;
    while (this.skipLines > 0) {
      const at = block.indexOf(this.delimiter, from);
      if (at === -1) return block.subarray(block.length);
      from = at + 1;
      this.skipLines--;
    }
    return block.subarray(from);
  }
}
