import type { Stats } from 'node:fs';
import type { Resumer, ResumePoint } from '../sources/resume.js';
import { ResumerInFront } from '../sources/resumer-in-front.js';
import { fdReader, readAt, type PositionalRead } from '../sources/read-at.js';

/** The time of a line's text in ms since the epoch, or undefined when it carries none. @internal */
export type TimeOf = (text: string) => number | undefined;

/**
 * Bytes one probe of the search reads: the lines starting in them are looked at. A stretch this long
 * without a line that carries a time cannot be placed on either side of the time looked for.
 */
export const PROBE_BYTES = 64 * 1024;

/** How lines are cut and decoded. @internal */
export interface LineText {
  readonly delimiter: 10 | 0;
  readonly encoding: BufferEncoding;
}

/** A line that carries a time: where it starts, where the next one starts (or the probe ended), its time. */
interface Stamped {
  readonly start: number;
  readonly end: number;
  readonly time: number;
}

/**
 * Where files opened at the start begin with `since`: at the first line whose time is at or after it,
 * found by a binary search over byte offsets ({@link sinceOffset}), so that the cost grows with the
 * logarithm of the file's size. It sits where the checkpoint would (the sources' `Resumer` port), in
 * front of it when there is one: a file the checkpoint knows resumes there.
 * @internal
 * @example
 * ```ts
 * session.resumer = new SinceStart(ledger, Date.now() - 600_000, (text) => leadingTime(text, Date.now()), { delimiter: 10, encoding: 'utf8' });
 * ```
 */
export class SinceStart extends ResumerInFront {
  constructor(
    inner: Resumer | undefined,
    private readonly since: number,
    private readonly timeOf: TimeOf,
    private readonly text: LineText,
  ) {
    super(inner);
  }

  protected async startAt(fd: number, st: Stats): Promise<ResumePoint | 'start'> {
    // Only a regular file can be searched (a /proc file's size says nothing): others are read from their start.
    if (!st.isFile() || st.size === 0) return 'start';
    return { offset: await sinceOffset(fdReader(fd), st.size, this.since, this.timeOf, this.text), line: 1 };
  }
}

/**
 * The offset of the first line of the file's first `size` bytes that carries a time at or after `since`
 * (`size` when there is none), by binary search: the file is taken to be in time order, as logs are.
 * Each step reads one block of {@link PROBE_BYTES} at the middle of what is left and looks at the first
 * line in it that carries a time; when the block has none, the block before it is looked at, and when
 * that has none either, the stretch counts as part of an event before `since` (a sparse hole, a binary
 * blob: lines without a time belong to the event before them). Once what is left fits in one block, it
 * is read once and scanned. About two reads per halving: 30 to 40 reads for a GiB.
 * @internal
 */
export async function sinceOffset(file: PositionalRead, size: number, since: number, timeOf: TimeOf, text: LineText): Promise<number> {
  const probe = new Probe(file, size, timeOf, text);
  // Every line that carries a time and starts before lo is before `since`; hi is the start of one at or after it, or size.
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    if (hi - lo <= PROBE_BYTES) {
      const found = (await probe.lines(lo, hi, (line) => line.time >= since)).at(-1);
      return found && found.time >= since ? found.start : hi;
    }
    const mid = lo + Math.floor((hi - lo) / 2);
    const ahead = (await probe.lines(mid, hi, () => true))[0];
    if (ahead) {
      if (ahead.time >= since) hi = ahead.start;
      else lo = ahead.end;
      continue;
    }
    const skip = Math.min(hi, mid + PROBE_BYTES);
    const before = (await probe.lines(Math.max(lo, mid - PROBE_BYTES), mid)).at(-1);
    if (before && before.time >= since) hi = before.start;
    else lo = skip;
  }
  return hi;
}

/** Reads blocks of a file and finds the lines that carry a time in them. */
class Probe {
  private readonly buf = Buffer.allocUnsafe(PROBE_BYTES + 1);

  constructor(
    private readonly file: PositionalRead,
    private readonly size: number,
    private readonly timeOf: TimeOf,
    private readonly text: LineText,
  ) {}

  /**
   * The lines that carry a time among those starting in [from, min(to, from + PROBE_BYTES)), read in one
   * block, up to the first for which `stop` is true; a line running past the block is judged by the part
   * of it in the block.
   */
  async lines(from: number, to: number, stop?: (line: Stamped) => boolean): Promise<Stamped[]> {
    const { delimiter, encoding } = this.text;
    // One byte before `from` says whether a line starts there.
    const at = from === 0 ? 0 : from - 1;
    const length = Math.min(PROBE_BYTES + (from === 0 ? 0 : 1), this.size - at);
    const got = await readAt(this.file, this.buf, length, at);
    const buf = this.buf.subarray(0, got);
    const limit = Math.min(to, from + PROBE_BYTES) - at;
    const out: Stamped[] = [];
    let start = from === 0 ? 0 : buf.indexOf(delimiter) + 1;
    while (start > 0 || (from === 0 && start === 0)) {
      if (start >= limit || start >= buf.length) break;
      const next = buf.indexOf(delimiter, start);
      const lineEnd = next === -1 ? buf.length : next;
      // Without its CR, as the framer hands out a CRLF line.
      const textEnd = delimiter === 10 && lineEnd > start && buf[lineEnd - 1] === 13 ? lineEnd - 1 : lineEnd;
      const time = this.timeOf(buf.toString(encoding, start, textEnd));
      if (time !== undefined && !Number.isNaN(time)) {
        const line = { start: at + start, end: at + (next === -1 ? buf.length : next + 1), time };
        out.push(line);
        if (stop?.(line)) break;
      }
      if (next === -1) break;
      start = next + 1;
    }
    return out;
  }
}
