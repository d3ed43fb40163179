import { readSync } from 'node:fs';

/** Bytes of a file's start that identify its content: the "rewritten in place" check, and checkpoints. @internal */
export const HEAD_BYTES = 1024;

/**
 * The first `length` bytes of the file open as `fd` (fewer if it is shorter). Synchronous: at most
 * {@link HEAD_BYTES}, from the page cache; a thread-pool round trip would add to every line's latency.
 * @internal
 */
export function readHead(fd: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}
