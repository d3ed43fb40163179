import type { StartPosition } from '../options.js';
import { readAt, type PositionalRead } from './read-at.js';

const BLOCK = 64 * 1024;

/** Where reading starts in a regular file of `size` bytes, and how many lines the framer skips. @internal */
export interface StartPoint {
  readonly offset: number;
  readonly skipLines: number;
  /** The number of the first line read, when it is known to be the true line number. */
  readonly firstLineNumber: number;
}

/**
 * Resolves a {@link StartPosition} on a regular file. `fromLine` is resolved by the framer
 * (skipping lines as it reads), the others here, without reading more than the selected bytes.
 * @internal
 */
export async function startPoint(
  file: PositionalRead,
  size: number,
  start: StartPosition,
  delimiter: number,
): Promise<StartPoint> {
  if ('fromLine' in start) {
    return { offset: 0, skipLines: Math.max(start.fromLine, 1) - 1, firstLineNumber: 1 };
  }
  if ('fromByte' in start) {
    return { offset: Math.min(Math.max(start.fromByte, 1) - 1, size), skipLines: 0, firstLineNumber: 1 };
  }
  if ('bytes' in start) return { offset: Math.max(size - start.bytes, 0), skipLines: 0, firstLineNumber: 1 };
  return { offset: await lastLinesOffset(file, size, start.lines, delimiter), skipLines: 0, firstLineNumber: 1 };
}

/**
 * Offset of the first of the last `count` lines of the file's first `size` bytes, found by reading
 * backwards in blocks. A final line without a delimiter counts as a line, as in GNU tail.
 * @internal
 */
export async function lastLinesOffset(file: PositionalRead, size: number, count: number, delimiter: number): Promise<number> {
  if (count === 0 || size === 0) return size;
  const buf = Buffer.allocUnsafe(Math.min(BLOCK, size));
  let end = size;
  // The delimiter ending the file terminates the last line: it does not start a new one.
  let remaining = count;
  let skipLast = true;
  while (end > 0) {
    const start = Math.max(end - buf.length, 0);
    const length = end - start;
    await readFully(file, buf, length, start);
    let pos = length;
    if (skipLast) {
      if (buf[length - 1] === delimiter) pos--;
      skipLast = false;
    }
    while (pos > 0) {
      const idx = buf.lastIndexOf(delimiter, pos - 1);
      if (idx === -1 || idx >= length) break;
      if (--remaining === 0) return start + idx + 1;
      pos = idx;
    }
    end = start;
  }
  return 0;
}

async function readFully(file: PositionalRead, buf: Buffer, length: number, position: number): Promise<void> {
  // The file may have shrunk under us: what is missing reads as no delimiter.
  buf.fill(0xff, await readAt(file, buf, length, position), length);
}
