import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentOf, contentSpans } from '../../src/history/decompress.js';
import { tempDir } from '../helpers/fs.js';

const ZST = path.resolve(import.meta.dirname, '../../fixtures/history/lines.zst');
const zstText = Array.from({ length: 30_000 }, (_, i) => `zstd line ${i + 1}\n`).join('');

async function all(chunks: AsyncIterable<Buffer>): Promise<{ text: string; sizes: number[] }> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return { text: Buffer.concat(parts).toString(), sizes: parts.map((p) => p.length) };
}

describe('contentOf', () => {
  it('streams a gzip file in chunks, never the whole content at once', async () => {
    const dir = await tempDir();
    const text = Array.from({ length: 60_000 }, (_, i) => `gzip line ${i}\n`).join(''); // ~900 KB
    writeFileSync(path.join(dir, 'a.gz'), gzipSync(text));
    const { text: out, sizes } = await all(contentOf(path.join(dir, 'a.gz'), 'gzip'));
    expect(out).toBe(text);
    expect(sizes.length).toBeGreaterThan(8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
  });

  it('reads gzip members one after the other as one content (cat a.gz b.gz)', async () => {
    const dir = await tempDir();
    writeFileSync(path.join(dir, 'ab.gz'), Buffer.concat([gzipSync('first\n'), gzipSync('second\n')]));
    expect((await all(contentOf(path.join(dir, 'ab.gz'), 'gzip'))).text).toBe('first\nsecond\n');
  });

  it('streams a zstd file (fzstd: Node 20 has no zstd in zlib)', async () => {
    const { text, sizes } = await all(contentOf(ZST, 'zstd'));
    expect(text).toBe(zstText);
    expect(Math.max(...sizes)).toBeLessThan(zstText.length);
  });

  it('gives the content before a truncation, then throws', async () => {
    const dir = await tempDir();
    const text = Array.from({ length: 60_000 }, (_, i) => `gzip line ${i}\n`).join('');
    const gz = gzipSync(text);
    writeFileSync(path.join(dir, 'cut.gz'), gz.subarray(0, gz.length >> 1));
    writeFileSync(path.join(dir, 'cut.zst'), readFileSync(ZST).subarray(0, readFileSync(ZST).length >> 1));
    for (const [file, storage, whole] of [['cut.gz', 'gzip', text], ['cut.zst', 'zstd', zstText]] as const) {
      const parts: Buffer[] = [];
      const error = await (async () => {
        for await (const chunk of contentOf(path.join(dir, file), storage)) parts.push(chunk);
      })().catch((e: Error) => e);
      expect(error, file).toBeInstanceOf(Error);
      const got = Buffer.concat(parts).toString();
      expect(got.length, file).toBeGreaterThan(0);
      expect(whole.startsWith(got), file).toBe(true);
    }
  });

  it('gives a plain file from a byte on', async () => {
    const dir = await tempDir();
    writeFileSync(path.join(dir, 'p'), 'abcdef');
    expect((await all(contentOf(path.join(dir, 'p'), 'plain', 2))).text).toBe('cdef');
  });
});

describe('contentSpans', () => {
  it('gives the bytes of each span of the decompressed content', async () => {
    const [head, middle] = (await contentSpans(ZST, 'zstd', [{ start: 0, length: 10 }, { start: 50_000, length: 12 }]))!;
    expect(head!.toString()).toBe(zstText.slice(0, 10));
    expect(middle!.toString()).toBe(zstText.slice(50_000, 50_012));
  });

  it('is undefined when the content is shorter than a span, or when keep() says no', async () => {
    expect(await contentSpans(ZST, 'zstd', [{ start: zstText.length - 4, length: 5 }])).toBeUndefined();
    const asked: number[] = [];
    const got = await contentSpans(ZST, 'zstd', [{ start: 0, length: 4 }, { start: 80_000, length: 4 }], (i) => {
      asked.push(i);
      return false;
    });
    expect(got).toBeUndefined();
    expect(asked).toEqual([0]);
  });

  it('is undefined for data that is not compressed as said', async () => {
    const dir = await tempDir();
    writeFileSync(path.join(dir, 'x.gz'), 'not gzip at all');
    expect(await contentSpans(path.join(dir, 'x.gz'), 'gzip', [{ start: 0, length: 3 }])).toBeUndefined();
  });
});
