import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Volume } from 'memfs';
import { lastLinesOffset, startPoint } from '../../src/sources/start-position.js';
import { fdReader, type PositionalRead } from '../../src/sources/read-at.js';
import { Framer } from '../../src/lines/framer.js';
import type { Line } from '../../src/lines/line.js';
import type { StartPosition } from '../../src/options.js';
import { tempDir } from '../helpers/fs.js';
import { prng as prng32 } from '../helpers/random.js';

const BLOCK = 64 * 1024;

/** Opens `content` as a file in a fresh in-memory volume, counting the bytes read through the handle. */
async function memFile(content: string | Buffer): Promise<{ read: PositionalRead; size: number; bytesRead: () => number; close: () => Promise<void> }> {
  const vol = new Volume();
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  vol.writeFileSync('/file', data);
  const real = await vol.promises.open('/file', 'r');
  let read = 0;
  const reader: PositionalRead = async (buffer, offset, length, position) => {
    const result = await real.read(buffer, offset, length, position);
    read += result.bytesRead;
    return result.bytesRead;
  };
  return { read: reader, size: data.length, bytesRead: () => read, close: () => real.close() };
}

async function offsetOf(content: string | Buffer, count: number, delimiter = 10, size?: number): Promise<number> {
  const file = await memFile(content);
  try {
    return await lastLinesOffset(file.read, size ?? file.size, count, delimiter);
  } finally {
    await file.close();
  }
}

/** The obvious answer: the start of the last `count` lines, a final line without delimiter counting as one. */
function naiveOffset(data: Buffer, count: number, delimiter = 10): number {
  if (count === 0) return data.length;
  const starts: number[] = [];
  for (let i = 0; i < data.length; i++) if (i === 0 || data[i - 1] === delimiter) starts.push(i);
  return starts.length <= count ? 0 : starts[starts.length - count]!;
}

/** Deterministic pseudo-random numbers in [0, 1), so a failing corpus can be rebuilt. */
function prng(seed: number): () => number {
  const next = prng32(seed);
  return () => next() / 4294967296;
}

/** About `total` bytes of lines with random lengths (mostly short, some longer than a block). */
function randomLines(total: number, seed: number, delimiter = 10): Buffer {
  const next = prng(seed);
  const parts: Buffer[] = [];
  let size = 0;
  while (size < total) {
    const roll = next();
    const length = roll < 0.02 ? Math.floor(next() * 200_000) : roll < 0.2 ? Math.floor(next() * 2000) : Math.floor(next() * 80);
    const line = Buffer.alloc(length + 1, 'x');
    for (let i = 0; i < length; i += 7) line[i] = 0x61 + Math.floor(next() * 26);
    line[length] = delimiter;
    parts.push(line);
    size += line.length;
  }
  return Buffer.concat(parts);
}

describe('lastLinesOffset', () => {
  it('returns 0 for an empty file, whatever the count', async () => {
    for (const n of [0, 1, 10]) expect(await offsetOf('', n)).toBe(0);
  });

  it('returns the size for a count of 0 (only new data is read)', async () => {
    expect(await offsetOf('a\nb\n', 0)).toBe(4);
    expect(await offsetOf('a\nb', 0)).toBe(3);
  });

  it('does not count the newline ending the file as the start of another line', async () => {
    expect(await offsetOf('one\ntwo\nthree\n', 1)).toBe(8);
    expect(await offsetOf('one\ntwo\nthree\n', 2)).toBe(4);
    expect(await offsetOf('one\ntwo\nthree\n', 3)).toBe(0);
  });

  it('counts a final line without newline as a line', async () => {
    expect(await offsetOf('one\ntwo\nthree', 1)).toBe(8);
    expect(await offsetOf('one\ntwo\nthree', 2)).toBe(4);
    expect(await offsetOf('single', 1)).toBe(0);
  });

  it('counts each newline of a file of only newlines as an empty line', async () => {
    expect(await offsetOf('\n\n\n', 1)).toBe(2);
    expect(await offsetOf('\n\n\n', 2)).toBe(1);
    expect(await offsetOf('\n\n\n', 3)).toBe(0);
    expect(await offsetOf('\n', 1)).toBe(0);
  });

  it('returns 0 when the count is larger than the number of lines', async () => {
    expect(await offsetOf('a\nb\n', 3)).toBe(0);
    expect(await offsetOf('a\nb', 1000)).toBe(0);
  });

  it('finds the last lines with the NUL delimiter, treating newlines as text', async () => {
    expect(await offsetOf('a\nb\0c\nd\0', 1, 0)).toBe(4);
    expect(await offsetOf('a\nb\0c\nd\0', 2, 0)).toBe(0);
    expect(await offsetOf('a\0b', 1, 0)).toBe(2);
    expect(await offsetOf('a\nb\n', 1, 0)).toBe(0);
  });

  it('looks only at the first `size` bytes', async () => {
    expect(await offsetOf('a\nb\nc\nd', 1, 10, 4)).toBe(2);
    expect(await offsetOf('a\nb\nc\nd', 1, 10, 5)).toBe(4);
  });

  it('treats bytes missing from a file that shrank as part of the last line', async () => {
    expect(await offsetOf('a\nb\n', 1, 10, 10)).toBe(4);
    expect(await offsetOf('a\nb\n', 2, 10, 10)).toBe(2);
  });

  it('finds lines that span the 64 KiB block boundary', async () => {
    // Put a newline at every position around the boundary of the last block, and lines on both sides.
    for (let back = BLOCK - 3; back <= BLOCK + 3; back++) {
      const data = Buffer.alloc(BLOCK * 2 + 100, 'x');
      data[data.length - back] = 10;
      data[data.length - back - 5] = 10;
      data[data.length - 1] = 10;
      data[10] = 10;
      for (const n of [1, 2, 3, 4, 5]) {
        expect({ back, n, offset: await offsetOf(data, n) }).toEqual({ back, n, offset: naiveOffset(data, n) });
      }
    }
  });

  it('handles a file of exactly one block ending with or without a newline', async () => {
    const data = Buffer.alloc(BLOCK, 'y');
    data[100] = 10;
    expect(await offsetOf(data, 1)).toBe(101);
    data[BLOCK - 1] = 10;
    expect(await offsetOf(data, 1)).toBe(101);
    expect(await offsetOf(data, 2)).toBe(0);
  });

  it('finds the right line in a file many blocks long', async () => {
    const data = randomLines(700_000, 7);
    for (const n of [1, 2, 10, 100, 1000, 5000, 100_000]) expect(await offsetOf(data, n)).toBe(naiveOffset(data, n));
    const open = data.subarray(0, data.length - 1);
    for (const n of [1, 2, 1000]) expect(await offsetOf(open, n)).toBe(naiveOffset(open, n));
  });

  it('finds nothing before the start of one line longer than several blocks', async () => {
    const data = Buffer.alloc(5 * BLOCK + 7, 'z');
    expect(await offsetOf(data, 1)).toBe(0);
    data[data.length - 1] = 10;
    expect(await offsetOf(data, 1)).toBe(0);
    expect(await offsetOf(Buffer.concat([Buffer.from('a\n'), data]), 1)).toBe(2);
  });

  it('reads only the blocks holding the selected lines', async () => {
    const data = Buffer.alloc(20 * BLOCK - 20, 'w');
    for (let i = 99; i < data.length; i += 100) data[i] = 10;
    expect(data.at(-1)).toBe(10);
    const file = await memFile(data);
    try {
      expect(await lastLinesOffset(file.read, file.size, 10, 10)).toBe(data.length - 1000);
      expect(file.bytesRead()).toBe(BLOCK);
    } finally {
      await file.close();
    }
  });
});

describe('startPoint', () => {
  async function pointOf(content: string, start: StartPosition, delimiter = 10) {
    const file = await memFile(content);
    try {
      return await startPoint(file.read, file.size, start, delimiter);
    } finally {
      await file.close();
    }
  }

  it('starts at the last N lines for { lines }', async () => {
    expect(await pointOf('a\nb\nc\n', { lines: 2 })).toEqual({ offset: 2, skipLines: 0, firstLineNumber: 1 });
    expect(await pointOf('a\0b\0c\0', { lines: 2 }, 0)).toEqual({ offset: 2, skipLines: 0, firstLineNumber: 1 });
  });

  it('starts at the last N bytes for { bytes }, or at 0 when the file is shorter', async () => {
    expect((await pointOf('abcdef', { bytes: 2 })).offset).toBe(4);
    expect((await pointOf('abcdef', { bytes: 0 })).offset).toBe(6);
    expect((await pointOf('abcdef', { bytes: 6 })).offset).toBe(0);
    expect((await pointOf('abcdef', { bytes: 100 })).offset).toBe(0);
  });

  it('starts at byte N counting from 1 for { fromByte }, with 0 meaning 1', async () => {
    expect((await pointOf('abcdef', { fromByte: 1 })).offset).toBe(0);
    expect((await pointOf('abcdef', { fromByte: 0 })).offset).toBe(0);
    expect((await pointOf('abcdef', { fromByte: 3 })).offset).toBe(2);
    expect((await pointOf('abcdef', { fromByte: 7 })).offset).toBe(6);
    expect((await pointOf('abcdef', { fromByte: 100 })).offset).toBe(6);
  });

  it('reads from the start and skips N - 1 lines for { fromLine }, with 0 meaning 1', async () => {
    expect(await pointOf('a\nb\n', { fromLine: 3 })).toEqual({ offset: 0, skipLines: 2, firstLineNumber: 1 });
    expect(await pointOf('a\nb\n', { fromLine: 1 })).toEqual({ offset: 0, skipLines: 0, firstLineNumber: 1 });
    expect(await pointOf('a\nb\n', { fromLine: 0 })).toEqual({ offset: 0, skipLines: 0, firstLineNumber: 1 });
  });
});

describe('start positions agree with GNU tail on real files', () => {
  const gnuTail = '/usr/bin/tail';

  /** One run of GNU tail, for the property (one small file at a time). */
  function tail(args: string[], file: string): Buffer {
    const result = spawnSync(gnuTail, [...args, '--', file], { encoding: 'buffer', env: { LC_ALL: 'C' } });
    if (result.status !== 0) throw new Error(`tail ${args.join(' ')} failed: ${String(result.error ?? result.stderr)}`);
    return result.stdout;
  }

  /**
   * Many runs of GNU tail on files in `dir`, in one shell (spawning from Node costs ~10 ms a process):
   * each output goes to its own file, read back as bytes.
   */
  function tailEach(dir: string, runs: { file: string; args: string[] }[]): Buffer[] {
    const script = ['set -e', 'cd "$1"', ...runs.map((run, i) => `${gnuTail} ${run.args.join(' ')} -- ${run.file} > out.${i}`)].join('\n');
    const result = spawnSync('/bin/sh', ['-c', script, 'sh', dir], { encoding: 'buffer', env: { LC_ALL: 'C' } });
    if (result.status !== 0) throw new Error(`tail failed: ${String(result.error ?? result.stderr)}`);
    return runs.map((_, i) => readFileSync(path.join(dir, `out.${i}`)));
  }

  /** Byte equality without a per-element deep compare (slow on megabytes), reporting where they differ. */
  function expectSame(actual: Buffer, expected: Buffer, what: string): void {
    if (actual.equals(expected)) return;
    let at = 0;
    while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
    const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(at - 20, 0), at + 20).toString('latin1'));
    expect.fail(`${what}: ${actual.length} bytes, tail gave ${expected.length}; first difference at byte ${at}: ${around(actual)} vs ${around(expected)}`);
  }

  const bigLine = Buffer.alloc(1024 * 1024, 'L');
  const corpus: Record<string, Buffer> = {
    'empty': Buffer.alloc(0),
    'one newline': Buffer.from('\n'),
    'no trailing newline': Buffer.from('first\nsecond\nthird'),
    'one line without newline': Buffer.from('alone'),
    'CRLF': Buffer.from('a\r\nb\r\n\r\nc\r\n'),
    'CR only': Buffer.from('a\rb\rc'),
    'NUL bytes': Buffer.from('a\0b\nc\0\n\0\0d\0'),
    'only NULs': Buffer.from('\0\0\0'),
    'only newlines': Buffer.from('\n\n\n\n\n'),
    'UTF-8': Buffer.from('héllo\nwörld €\n😀\n\n末尾'),
    'invalid UTF-8 bytes': Buffer.from([0xff, 0x0a, 0xc3, 0x0a, 0xe2, 0x82, 0x0a, 0x80]),
    '1 MiB line': Buffer.concat([Buffer.from('before\n'), bigLine, Buffer.from('\nafter\n')]),
    '1 MiB line without newline': Buffer.concat([Buffer.from('before\n'), bigLine]),
    '3 MB of random line lengths': randomLines(3_000_000, 42),
    '1 MB of random NUL-terminated records': randomLines(1_000_000, 9, 0),
  };
  /** The part of the corpus where NUL-delimited reading differs in an interesting way. */
  const nulCorpus = ['empty', 'no trailing newline', 'NUL bytes', 'only NULs', 'UTF-8', '1 MiB line', '1 MB of random NUL-terminated records'];
  /** The part of the corpus worth checking byte counts on. */
  const byteCorpus = ['empty', 'one newline', 'UTF-8', '1 MiB line without newline', '3 MB of random line lengths'];
  const counts = [0, 1, 2, 10, 1000];

  interface Case {
    readonly name: string;
    readonly file: string;
    readonly data: Buffer;
  }

  /** Writes the named part of the corpus as real files in a fresh temp directory. */
  async function writeCorpus(names = Object.keys(corpus)): Promise<{ dir: string; cases: Case[] }> {
    const dir = await tempDir();
    const cases = names.map((name) => {
      const data = corpus[name]!;
      const file = name.replace(/\W+/g, '-');
      writeFileSync(path.join(dir, file), data);
      return { name, file, data };
    });
    return { dir, cases };
  }

  async function resolve(dir: string, c: Case, start: StartPosition, delimiter: number) {
    const handle = await open(path.join(dir, c.file), 'r');
    try {
      return await startPoint(fdReader(handle.fd), c.data.length, start, delimiter);
    } finally {
      await handle.close();
    }
  }

  /** The bytes from `point` on, framed as the follower would, each line written back as text + eol. */
  function framed(data: Buffer, point: { offset: number; skipLines: number; firstLineNumber: number }, delimiter: 10 | 0): { bytes: Buffer; lines: Line[] } {
    const framer = new Framer({ source: 'f', delimiter, maxLineBytes: 2 * 1024 * 1024, overlong: 'split', encoding: 'latin1', startOffset: point.offset, skipLines: point.skipLines, firstLineNumber: point.firstLineNumber });
    const lines: Line[] = [];
    for (let at = point.offset; at < data.length; at += BLOCK) framer.push(data.subarray(at, Math.min(at + BLOCK, data.length)), lines);
    framer.flush(lines);
    return { bytes: Buffer.from(lines.map((line) => line.text + line.eol).join(''), 'latin1'), lines };
  }

  /** Checks `ours` against `tail args` for every case and every n. */
  async function compare(
    names: string[] | undefined,
    ns: number[],
    args: (n: number) => string[],
    ours: (dir: string, c: Case, n: number) => Promise<Buffer>,
  ): Promise<void> {
    const { dir, cases } = await writeCorpus(names);
    const runs = cases.flatMap((c) => ns.map((n) => ({ c, n, file: c.file, args: args(n) })));
    const outputs = tailEach(dir, runs);
    for (const [i, run] of runs.entries()) {
      expectSame(await ours(dir, run.c, run.n), outputs[i]!, `${run.c.name}, tail ${run.args.join(' ')}`);
    }
  }

  it('selects the same bytes as tail -n N', async () => {
    await compare(undefined, counts, (n) => ['-n', String(n)], async (dir, c, n) =>
      c.data.subarray((await resolve(dir, c, { lines: n }, 10)).offset),
    );
  });

  it('selects the same bytes as tail -z -n N with the NUL delimiter', async () => {
    await compare(nulCorpus, counts, (n) => ['-z', '-n', String(n)], async (dir, c, n) => {
      const handle = await open(path.join(dir, c.file), 'r');
      try {
        return c.data.subarray(await lastLinesOffset(fdReader(handle.fd), c.data.length, n, 0));
      } finally {
        await handle.close();
      }
    });
  });

  it('selects the same bytes as tail -c N', async () => {
    await compare(byteCorpus, [0, 1, 2, 1000, 70_000], (n) => ['-c', String(n)], async (dir, c, n) =>
      c.data.subarray((await resolve(dir, c, { bytes: n }, 10)).offset),
    );
  });

  it('selects the same bytes as tail -c +N', async () => {
    await compare(byteCorpus, [0, 1, 2, 1000, 70_000], (n) => ['-c', `+${n}`], async (dir, c, n) =>
      c.data.subarray((await resolve(dir, c, { fromByte: n }, 10)).offset),
    );
  });

  it('frames the same bytes as tail -n +N, numbering the first line N', async () => {
    await compare(undefined, counts, (n) => ['-n', `+${n}`], async (dir, c, n) => {
      const { bytes, lines } = framed(c.data, await resolve(dir, c, { fromLine: n }, 10), 10);
      if (lines[0]) expect(lines[0].lineNumber).toBe(Math.max(n, 1));
      return bytes;
    });
  });

  it('frames the same bytes as tail -z -n +N with the NUL delimiter', async () => {
    await compare(nulCorpus, counts, (n) => ['-z', '-n', `+${n}`], async (dir, c, n) =>
      framed(c.data, await resolve(dir, c, { fromLine: n }, 0), 0).bytes,
    );
  });

  it('agrees with tail -n N and tail -z -n N on random small files', async () => {
    const dir = await tempDir();
    const small = fc.record({
      data: fc.array(fc.constantFrom('\n', '\r', '\0', 'a', 'é', '\r\n', '\n\n'), { maxLength: 30 }).map((parts) => Buffer.from(parts.join(''))),
      n: fc.nat({ max: 12 }),
      nul: fc.boolean(),
    });
    const argsOf = (n: number, nul: boolean) => (nul ? ['-z', '-n', String(n)] : ['-n', String(n)]);
    const keyOf = (data: Buffer, args: string[]) => `${args.join(' ')}:${data.toString('hex')}`;
    // Ask tail about the cases the property will try first in one batch (same seed, same cases);
    // anything else (shrinking) runs tail on its own.
    const seed = Date.now() | 0;
    const numRuns = 100;
    const expected = new Map<string, Buffer>();
    const sampled = fc.sample(small, { seed, numRuns }).map((c, i) => ({ ...c, file: `case-${i}`, args: argsOf(c.n, c.nul) }));
    for (const c of sampled) writeFileSync(path.join(dir, c.file), c.data);
    tailEach(dir, sampled).forEach((out, i) => expected.set(keyOf(sampled[i]!.data, sampled[i]!.args), out));
    await fc.assert(
      fc.asyncProperty(small, async ({ data, n, nul }) => {
        const c = { name: 'random', file: 'random', data };
        const args = argsOf(n, nul);
        writeFileSync(path.join(dir, c.file), data);
        const offset = (await resolve(dir, c, { lines: n }, nul ? 0 : 10)).offset;
        const want = expected.get(keyOf(data, args)) ?? tail(args, path.join(dir, c.file));
        expect(data.subarray(offset)).toEqual(want);
      }),
      { seed, numRuns },
    );
  });
});
