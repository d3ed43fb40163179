import type { Line } from '../lines/line.js';
import { Framer } from '../lines/framer.js';
import type { FramingOptions } from '../sources/generation.js';
import type { ResumePoint } from '../sources/resume.js';
import { notices, type Notice } from '../notices.js';
import { contentOf } from './decompress.js';
import type { Storage } from './siblings.js';

/** One rotated file to read, from `from` (an offset in its content, decompressed) on. @internal */
export interface HistoryPart {
  readonly path: string;
  readonly storage: Storage;
  readonly from: ResumePoint;
}

/**
 * Reads a name's history before its live file: rotated files, oldest first, each from its point to its
 * end, as a stream (compressed ones decompressed as they are read), framed into lines that carry the
 * followed name. One chunk per {@link pull}. A file that cannot be read to its end (gone, truncated or
 * corrupt compressed data) is reported once, with its path, and what came before the fault is kept;
 * then the next file is read. These files are history: they are read once, not followed.
 * @internal
 * @example
 * ```ts
 * const history = new HistoryReader('app.log', parts, framing, onNotice);
 * while (!history.done) lines.push(...(await history.pull()));
 * ```
 */
export class HistoryReader {
  private readonly name: string;
  private readonly parts: HistoryPart[];
  private readonly framing: FramingOptions;
  private readonly report: (notice: Notice) => void;
  private reading: { part: HistoryPart; chunks: AsyncGenerator<Buffer>; framer: Framer; skip: number } | undefined;
  private phase: 'reading' | 'done' = 'reading';

  constructor(name: string, parts: readonly HistoryPart[], framing: FramingOptions, report: (notice: Notice) => void) {
    this.name = name;
    this.parts = [...parts];
    this.framing = framing;
    this.report = report;
    if (this.parts.length === 0) this.phase = 'done';
  }

  /** True once every file was read (or given up). */
  get done(): boolean {
    return this.phase === 'done';
  }

  /** Bytes held for the unfinished line of the file being read. */
  get bufferedBytes(): number {
    return this.reading?.framer.bufferedBytes ?? 0;
  }

  /** Reads the next chunk of history: its finished lines (maybe none; a file's last unfinished line at its end). */
  async pull(): Promise<Line[]> {
    const out: Line[] = [];
    const reading = this.reading ?? this.next();
    if (!reading) return out;
    let step: IteratorResult<Buffer>;
    try {
      step = await reading.chunks.next();
    } catch (error) {
      this.report(notices.readError(reading.part.path, error as NodeJS.ErrnoException));
      this.finish(out);
      return out;
    }
    if (step.done) {
      this.finish(out);
      return out;
    }
    let chunk = step.value;
    // A compressed file resumed past its start: its content up to the point was read by an earlier run.
    if (reading.skip > 0) {
      const dropped = Math.min(reading.skip, chunk.length);
      reading.skip -= dropped;
      chunk = chunk.subarray(dropped);
    }
    if (chunk.length > 0) reading.framer.push(chunk, out);
    return out;
  }

  /** Stops reading (the file being read is closed). */
  async close(): Promise<void> {
    this.phase = 'done';
    const reading = this.reading;
    this.reading = undefined;
    await reading?.chunks.return(undefined).catch(() => {});
  }

  private next(): HistoryReader['reading'] {
    const part = this.parts.shift();
    if (!part) {
      this.phase = 'done';
      return undefined;
    }
    const { offset, line } = part.from;
    this.reading = {
      part,
      chunks: contentOf(part.path, part.storage, offset),
      framer: new Framer({ ...this.framing, source: this.name, startOffset: offset, firstLineNumber: line }),
      // A plain file is read from the offset; a compressed one from its start, skipping up to it.
      skip: part.storage === 'plain' ? 0 : offset,
    };
    return this.reading;
  }

  /** The file being read is over: its unfinished last line comes out (as for any file let go). */
  private finish(out: Line[]): void {
    this.reading?.framer.flush(out);
    void this.reading?.chunks.return(undefined).catch(() => {});
    this.reading = undefined;
    if (this.parts.length === 0) this.phase = 'done';
  }
}
