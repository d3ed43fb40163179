import type { FileHandle } from 'node:fs/promises';

/**
 * Reads `length` bytes at file offset `position` into the start of `buf`, looping over short reads.
 * Returns how many bytes were read: fewer than `length` only when the file ends first.
 * @internal
 */
export async function readAt(handle: FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
