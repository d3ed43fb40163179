import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Storage } from './siblings.js';

/** Bytes read from the file at a time. */
const READ_BYTES = 64 * 1024;

/**
 * The content of a rotated file, chunk by chunk, decompressed as it is read: gzip through `node:zlib`
 * (several members one after the other, as `cat a.gz b.gz` makes, are one content), zstd through
 * `fzstd` (pure JavaScript: Node 20's zlib has no zstd). Never inflated whole: memory holds a chunk and
 * the codec's window. A plain file's content is given from byte `start`, a compressed file's from its
 * first byte. Stops reading when the consumer stops asking. Throws the read error, or the
 * codec's (a truncated or corrupt file) once the bytes before it were given.
 * @internal
 * @example
 * ```ts
 * for await (const chunk of contentOf('app.log.2.gz', 'gzip')) size += chunk.length;
 * ```
 */
export async function* contentOf(file: string, storage: Storage, start = 0): AsyncGenerator<Buffer> {
  // A plain file seeks to `start`; compressed content before it has to be decompressed all the same.
  const raw = createReadStream(file, { highWaterMark: READ_BYTES, start: storage === 'plain' ? start : 0 });
  try {
    if (storage === 'plain') yield* raw as AsyncIterable<Buffer>;
    else if (storage === 'gzip') yield* gunzip(raw);
    else yield* unzstd(raw);
  } finally {
    raw.destroy();
  }
}

async function* gunzip(raw: AsyncIterable<Buffer> & NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  const inflate = createGunzip();
  raw.on('error', (error) => inflate.destroy(error));
  raw.pipe(inflate);
  try {
    yield* inflate as AsyncIterable<Buffer>;
  } finally {
    inflate.destroy();
  }
}

async function* unzstd(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // Loaded only for a .zst file: nothing else needs it.
  const { Decompress } = await import('fzstd');
  const out: Buffer[] = [];
  // fzstd hands out views of its window: copied before the next push reuses it.
  const codec = new Decompress((data) => {
    out.push(Buffer.from(data));
  });
  // What a push decompressed before it failed is given before the failure.
  const push = (chunk: Uint8Array, final: boolean): unknown => {
    try {
      codec.push(chunk, final);
      return undefined;
    } catch (error) {
      return error ?? new Error('zstd: invalid data');
    }
  };
  for await (const chunk of raw) {
    const failure = push(chunk, false);
    yield* out.splice(0);
    if (failure) throw failure;
  }
  const failure = push(new Uint8Array(0), true);
  yield* out.splice(0);
  if (failure) throw failure;
}

/** A span of a file's content: `length` bytes from `start`. @internal */
export interface Span {
  readonly start: number;
  readonly length: number;
}

/**
 * The bytes of each span of a file's content (decompressed), read in one pass that stops at the last
 * span's end, or as soon as `keep(i, bytes)`, asked when span i is complete, says no (a head that does
 * not match: the rest need not be decompressed). Undefined when the content is shorter than a span's
 * end, cannot be read, or `keep` said no.
 * @internal
 * @example
 * ```ts
 * const spans = await contentSpans('app.log.1.gz', 'gzip', [{ start: 0, length: 1024 }, { start: 4032, length: 64 }]);
 * if (spans) console.log(`head ${spans[0]!.length} bytes, then ${spans[1]!.length} before offset 4096`);
 * ```
 */
export async function contentSpans(file: string, storage: Storage, spans: readonly Span[], keep: (i: number, bytes: Buffer) => boolean = () => true): Promise<Buffer[] | undefined> {
  const parts: Buffer[][] = spans.map(() => []);
  const filled = spans.map(() => 0);
  const asked = spans.map(() => false);
  const end = Math.max(0, ...spans.map((s) => s.start + s.length));
  let at = 0;
  const settle = (): boolean => {
    for (let i = 0; i < spans.length; i++) {
      if (asked[i] || filled[i]! < spans[i]!.length) continue;
      asked[i] = true;
      if (!keep(i, Buffer.concat(parts[i]!))) return false;
    }
    return true;
  };
  const chunks = contentOf(file, storage);
  try {
    if (!settle()) return undefined;
    while (at < end) {
      const step = await chunks.next();
      if (step.done) return undefined;
      const chunk = step.value;
      spans.forEach((span, i) => {
        const from = Math.max(span.start, at);
        const to = Math.min(span.start + span.length, at + chunk.length);
        if (to > from) {
          parts[i]!.push(chunk.subarray(from - at, to - at));
          filled[i] = filled[i]! + to - from;
        }
      });
      at += chunk.length;
      if (!settle()) return undefined;
    }
  } catch {
    return undefined;
  } finally {
    await chunks.return(undefined).catch(() => {});
  }
  return parts.map((p) => Buffer.concat(p));
}
