import { createHash } from 'node:crypto';
import { fdReader, readAt } from '../sources/read-at.js';
import { HEAD_BYTES } from '../sources/head.js';
import { contentSpans } from '../history/decompress.js';
import type { Storage } from '../history/siblings.js';

/** Bytes just before the offset that must still be there to resume at it. */
export const TAIL_BYTES = 64;

/** Fingerprints of a file at a resume offset. @internal */
export interface Fingerprint {
  readonly headLength: number;
  readonly headHash: string;
  readonly tailLength: number;
  readonly tailHash: string;
}

/** Fingerprints the file open as `fd` for resuming at `offset`: its first bytes (up to 1 KiB) and the 64 before `offset`. @internal */
export async function fingerprint(fd: number, offset: number, size: number): Promise<Fingerprint> {
  const headLength = Math.min(size, HEAD_BYTES);
  const tailLength = Math.min(offset, TAIL_BYTES);
  return {
    headLength,
    headHash: await hashRange(fd, 0, headLength),
    tailLength,
    tailHash: await hashRange(fd, offset - tailLength, tailLength),
  };
}

/**
 * True when the file still holds what the fingerprint saw: the same first bytes (hashed over the length
 * recorded, so a file that was small then works) and the same bytes before the offset.
 * @internal
 */
export async function stillMatches(fd: number, size: number, offset: number, print: Fingerprint): Promise<boolean> {
  if (size < offset || size < print.headLength) return false;
  if ((await hashRange(fd, 0, print.headLength)) !== print.headHash) return false;
  return (await hashRange(fd, offset - print.tailLength, print.tailLength)) === print.tailHash;
}

/**
 * {@link stillMatches} for a file whose content is stored compressed (a rotated file compressed while
 * tail-async was stopped): the fingerprint is checked against the decompressed content, streamed, and
 * no further than the offset (a file whose first bytes differ is given up after them).
 * @internal
 */
export async function contentMatches(file: string, storage: Storage, offset: number, print: Fingerprint): Promise<boolean> {
  const spans = [
    { start: 0, length: print.headLength },
    { start: offset - print.tailLength, length: print.tailLength },
  ];
  const hashes = [print.headHash, print.tailHash];
  return (await contentSpans(file, storage, spans, (i, bytes) => hashOf(bytes) === hashes[i])) !== undefined;
}

async function hashRange(fd: number, start: number, length: number): Promise<string> {
  const buf = Buffer.alloc(length);
  const done = await readAt(fdReader(fd), buf, length, start);
  return hashOf(buf.subarray(0, done));
}

function hashOf(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex').slice(0, 16);
}
