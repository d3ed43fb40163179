import type { Stats } from 'node:fs';
import type { Origin, Resumer, ResumePoint } from './sources/resume.js';
import { fdReader, readAt, type PositionalRead } from './sources/read-at.js';
import type { ProcessorObject } from './chain/types.js';
import { isThenable } from './chain/output.js';

const BLOCK = 64 * 1024;

/**
 * Where files opened at the start begin when the start is "the last N lines" and the chain begins with
 * stateless filters: at the N-th line from the end that gets through them (`grep … | tail -n N`), found
 * by reading the file backwards, as the plain last-N scan does, until N lines passed or the file's start.
 * It sits where the checkpoint would (the sources' `Resumer` port), in front of it when there is one: a
 * file the checkpoint knows resumes there, as before.
 * @internal
 * @example
 * ```ts
 * session.resumer = new MatchingStart(ledger, [grep(['ERROR'])], 3, { delimiter: 10, encoding: 'utf8', maxLineBytes, failuresPass: false });
 * ```
 */
export class MatchingStart implements Resumer {
  constructor(
    private readonly inner: Resumer | undefined,
    private readonly filters: readonly ProcessorObject[],
    private readonly count: number,
    private readonly text: { readonly delimiter: 10 | 0; readonly encoding: BufferEncoding; readonly maxLineBytes: number; readonly failuresPass: boolean },
  ) {}

  async resumeAt(name: string, fd: number, st: Stats): Promise<ResumePoint | 'start' | undefined> {
    const resumed = await this.inner?.resumeAt(name, fd, st);
    if (resumed !== undefined) return resumed;
    return { offset: await this.matchingOffset(fdReader(fd), st.size), line: 1 };
  }

  movedAway(name: string, current: Stats | undefined): ReturnType<Resumer['movedAway']> {
    return this.inner ? this.inner.movedAway(name, current) : Promise.resolve(undefined);
  }

  knows(name: string): boolean {
    return this.inner?.knows(name) ?? false;
  }

  started(origin: Origin, point: ResumePoint): void {
    this.inner?.started(origin, point);
  }

  startedAfterDelivered(origin: Origin, point: ResumePoint): void {
    this.inner?.startedAfterDelivered(origin, point);
  }

  settle(origin: Origin): Promise<void> {
    return this.inner ? this.inner.settle(origin) : Promise.resolve();
  }

  /** Offset of the first of the last {@link count} lines of the first `size` bytes that pass every filter. */
  async matchingOffset(file: PositionalRead, size: number): Promise<number> {
    if (this.count === 0 || size === 0) return size;
    const { delimiter, maxLineBytes } = this.text;
    let remaining = this.count;
    // buf holds the bytes [from, to) of the file; the line being looked at ends at `end`.
    let buf = Buffer.alloc(0);
    let from = size;
    let end = size;
    let lastByte = true;
    for (;;) {
      // (lastIndexOf takes a negative offset from the end of the buffer: nothing is left to search then.)
      const at = end > from ? buf.lastIndexOf(delimiter, end - from - 1) : -1;
      if (at === -1 && from > 0 && end - from > maxLineBytes) {
        // A line longer than the framer keeps whole is never counted (it is split into pieces there): look
        // for where it starts without keeping it.
        const before = await previousDelimiter(file, from, delimiter);
        if (before === -1) return 0;
        buf = Buffer.alloc(0);
        from = end = before;
        continue;
      }
      if (at === -1 && from > 0) {
        // The line starts before what was read: read a block more (or as much again, for a long line).
        const more = Math.min(from, Math.max(BLOCK, end - from));
        const chunk = Buffer.allocUnsafe(more);
        const got = await readAt(file, chunk, more, from - more);
        // The file shrank under us: what is missing reads as no delimiter.
        chunk.fill(0xff, got);
        buf = Buffer.concat([chunk, buf.subarray(0, end - from)]);
        from -= more;
        if (lastByte) {
          lastByte = false;
          // The delimiter ending the file terminates the last line: it does not start a new one.
          if (buf[buf.length - 1] === delimiter) end--;
        }
        continue;
      }
      const start = at === -1 ? 0 : from + at + 1;
      if (end - start <= maxLineBytes && this.passes(buf, start - from, end - from) && --remaining === 0) return start;
      if (at === -1) return 0;
      end = start - 1;
    }
  }

  /** Whether the line in `buf` from `a` to `b` (its delimiter excluded) gets through every filter. */
  private passes(buf: Buffer, a: number, b: number): boolean {
    // Without its CR, as the framer hands out a CRLF line.
    const stop = this.text.delimiter === 10 && b > a && buf[b - 1] === 13 ? b - 1 : b;
    let text = buf.toString(this.text.encoding, a, stop);
    for (const filter of this.filters) {
      let result: unknown;
      try {
        result = filter.process(text, ORPHAN_CONTEXT);
      } catch {
        // It would fail on this line in the chain too: it gets through only under the `pass` policy, unchanged.
        if (this.text.failuresPass) continue;
        return false;
      }
      if (result === null || isThenable(result) || Array.isArray(result)) return false;
      if (typeof result === 'string') text = result;
    }
    return true;
  }
}

/** The offset of the last `delimiter` before `before`, or -1. */
async function previousDelimiter(file: PositionalRead, before: number, delimiter: number): Promise<number> {
  const buf = Buffer.allocUnsafe(BLOCK);
  for (let end = before; end > 0; ) {
    const start = Math.max(end - BLOCK, 0);
    const got = await readAt(file, buf, end - start, start);
    const at = buf.subarray(0, got).lastIndexOf(delimiter);
    if (at !== -1) return start + at;
    end = start;
  }
  return -1;
}

/** The context the filters get while the start is looked for: they are stateless, and read the text only. */
const ORPHAN_CONTEXT = Object.freeze({
  source: '',
  lineNumber: 0,
  offset: 0,
  end: 0,
  line: Object.freeze({ text: '', source: '', offset: 0, end: 0, lineNumber: 0, eol: '' as const }),
});
