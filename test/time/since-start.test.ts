import { describe, expect, it } from 'vitest';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fdReader, type PositionalRead } from '../../src/sources/read-at.js';
import { PROBE_BYTES, sinceOffset, type TimeOf } from '../../src/time/since-start.js';
import { isoTime } from '../../src/time/line-time.js';
import { tempDir } from '../helpers/fs.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const stamp = (i: number) => new Date(T0 + i * 1000).toISOString();
const timeOf: TimeOf = (text) => isoTime(text);
const TEXT = { delimiter: 10, encoding: 'utf8' } as const;

/** A positional read that counts its calls and the bytes they asked for. */
function counted(read: PositionalRead): PositionalRead & { reads: number; bytes: number } {
  const f = (async (buf: Buffer, offset: number, length: number, position: number) => {
    f.reads++;
    f.bytes += length;
    return read(buf, offset, length, position);
  }) as PositionalRead & { reads: number; bytes: number };
  f.reads = 0;
  f.bytes = 0;
  return f;
}

/** An in-memory file. */
function memory(content: Buffer): PositionalRead {
  return async (buf, offset, length, position) => content.copy(buf, offset, position, Math.min(position + length, content.length));
}

/** `count` lines, one a second from T0 + first s, each padded to about `width` bytes; a stack trace after every 10th. */
function logLines(first: number, count: number, width = 80): { text: string; starts: Map<number, number> } {
  const parts: string[] = [];
  const starts = new Map<number, number>();
  let bytes = 0;
  for (let i = first; i < first + count; i++) {
    starts.set(i, bytes);
    const line = `${stamp(i)} INFO request ${i} `.padEnd(width, 'x') + '\n' + (i % 10 === 0 ? '  at handler (app.js:1)\n  at run (app.js:2)\n' : '');
    parts.push(line);
    bytes += line.length;
  }
  return { text: parts.join(''), starts };
}

describe('sinceOffset', () => {
  it('finds the first line at or after the time, whatever the size of the file', async () => {
    const { text, starts } = logLines(0, 20_000);
    const file = Buffer.from(text);
    for (const s of [0, 1, 9, 10, 11, 4_321, 19_999]) {
      expect(await sinceOffset(memory(file), file.length, T0 + s * 1000, timeOf, TEXT)).toBe(starts.get(s));
      // Between two lines' times: the later line.
      if (s > 0) expect(await sinceOffset(memory(file), file.length, T0 + s * 1000 - 500, timeOf, TEXT)).toBe(starts.get(s));
    }
    expect(await sinceOffset(memory(file), file.length, T0 - 1, timeOf, TEXT)).toBe(0);
    expect(await sinceOffset(memory(file), file.length, T0 + 20_000 * 1000, timeOf, TEXT)).toBe(file.length);
  });

  it('never starts on a line without a time: a stack trace goes with the line before it', async () => {
    const { text, starts } = logLines(0, 100);
    const file = Buffer.from(text);
    // Line 11 comes after line 10's stack trace.
    expect(await sinceOffset(memory(file), file.length, T0 + 10_500, timeOf, TEXT)).toBe(starts.get(11));
  });

  it('reads the last line of a file without a final newline', async () => {
    const file = Buffer.from(`${stamp(0)} a\n${stamp(5)} b`);
    expect(await sinceOffset(memory(file), file.length, T0 + 1000, timeOf, TEXT)).toBe(file.indexOf('\n') + 1);
  });

  it('answers a 1 GiB sparse file with real lines at its end in a few dozen reads', async () => {
    // A hole of ~1 GiB, read as NUL bytes, then 1 MB of lines. A hole holds no newline: it is one long
    // line without a time, which belongs to no event (nothing is before it), so it is never where a start
    // lands; the search crosses it in blocks it can place on neither side, and moves on to the lines.
    const dir = await tempDir();
    const name = path.join(dir, 'sparse.log');
    const size = 1024 ** 3;
    const { text, starts } = logLines(1_000, 12_000);
    const tail = Buffer.from(`\n${text}`);
    const handle = await open(name, 'w+');
    const real = size - tail.length;
    await handle.truncate(size);
    await handle.write(tail, 0, tail.length, real);
    const st = await handle.stat();
    // Sparse indeed: far fewer blocks allocated than the size (when the file system makes holes at all).
    if (st.blocks * 512 < size / 4) expect(st.blocks * 512).toBeLessThan(8 * 1024 * 1024);
    try {
      const read = counted(fdReader(handle.fd));
      const at = await sinceOffset(read, size, T0 + 7_000 * 1000, timeOf, TEXT);
      expect(at).toBe(real + 1 + starts.get(7_000)!);
      // log2(1 GiB / 64 KiB) = 14 halvings across the hole (2 reads each: the block at the middle, and the
      // block before it), then ~5 in the megabyte of lines, then one last block.
      const bound = 2 * Math.ceil(Math.log2(size / PROBE_BYTES)) + 8;
      expect(read.reads).toBeLessThanOrEqual(bound);
      expect(read.bytes).toBeLessThanOrEqual(bound * (PROBE_BYTES + 1));

      // The same search on the lines alone (a 1 MB file) takes about as many reads as the halvings of its own size.
      const small = path.join(dir, 'small.log');
      await writeFile(small, text);
      const smallHandle = await open(small, 'r');
      try {
        const smallRead = counted(fdReader(smallHandle.fd));
        expect(await sinceOffset(smallRead, Buffer.byteLength(text), T0 + 7_000 * 1000, timeOf, TEXT)).toBe(starts.get(7_000));
        expect(smallRead.reads).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(Buffer.byteLength(text) / PROBE_BYTES)) + 4);
        // The first time before every line: the first real line, right after the hole's newline.
        const first = counted(fdReader(handle.fd));
        expect(await sinceOffset(first, size, T0, timeOf, TEXT)).toBe(real + 1);
        expect(first.reads).toBeLessThanOrEqual(bound);
      } finally {
        await smallHandle.close();
      }
    } finally {
      await handle.close();
    }
  });

  it('takes a stretch longer than a block without any time for part of an event before the time', async () => {
    const before = `${stamp(0)} start\n${'blob '.repeat(PROBE_BYTES / 2)}\n`;
    const file = Buffer.from(`${before}${stamp(100)} later\n`);
    expect(await sinceOffset(memory(file), file.length, T0 + 50_000, timeOf, TEXT)).toBe(Buffer.byteLength(before));
  });
});
