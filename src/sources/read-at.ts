import { read } from 'node:fs';

/**
 * Reads `length` bytes at a file offset into `buf` at `offset`, like `pread(2)`: resolves to the number
 * of bytes read, 0 at the end of the file. The file is a descriptor ({@link fdReader}) or, in tests, an
 * in-memory file.
 * @internal
 */
export type PositionalRead = (buf: Buffer, offset: number, length: number, position: number) => Promise<number>;

/** Positional reads of descriptor `fd`, through the thread pool. @internal */
export function fdReader(fd: number): PositionalRead {
  return (buf, offset, length, position) =>
    new Promise((resolve, reject) => {
      read(fd, buf, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
    });
}

/**
 * Reads `length` bytes at file offset `position` into the start of `buf`, looping over short reads.
 * Returns how many bytes were read: fewer than `length` only when the file ends first.
 * @internal
 */
export async function readAt(file: PositionalRead, buf: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await file(buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
