import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Framer, type FramerOptions } from '../../src/lines/framer.js';
import { isBlock, type Line } from '../../src/lines/line.js';
import { prng } from '../helpers/random.js';

type Options = Partial<FramerOptions>;

function framer(options: Options = {}): Framer {
  return new Framer({ source: 'app.log', delimiter: 10, maxLineBytes: 16 * 1024 * 1024, overlong: 'split', encoding: 'utf8', ...options });
}

const bytes = (chunk: string | Buffer): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);

/** Pushes every chunk, then flushes (unless told not to), and returns every line emitted. */
function frame(chunks: (string | Buffer)[], options: Options = {}, flush = true): Line[] {
  const f = framer(options);
  const out: Line[] = [];
  for (const chunk of chunks) f.push(bytes(chunk), out);
  if (flush) f.flush(out);
  return out;
}

const texts = (lines: Line[]): string[] => lines.map((line) => line.text);
/** What each line says about its place in the input: [text, eol, offset, end, lineNumber]. */
const records = (lines: Line[]): [string, string, number, number, number][] =>
  lines.map((line) => [line.text, line.eol, line.offset, line.end, line.lineNumber]);

/** `input` cut before each of the given byte positions. */
function cutAt(input: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < input.length))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const point of [...points, input.length]) {
    chunks.push(input.subarray(prev, point));
    prev = point;
  }
  return chunks;
}

/** `input` in chunks of `size` bytes. */
function chunked(input: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += size) chunks.push(input.subarray(i, i + size));
  return chunks;
}

describe('Framer: chunk boundaries', () => {
  it('splits two lines written in one chunk', () => {
    expect(records(frame(['one\ntwo\n']))).toEqual([
      ['one', '\n', 0, 4, 1],
      ['two', '\n', 4, 8, 2],
    ]);
  });

  it('splits two lines written in two chunks', () => {
    expect(texts(frame(['one\n', 'two\n']))).toEqual(['one', 'two']);
  });

  it('emits nothing for an empty chunk', () => {
    const f = framer();
    const out: Line[] = [];
    f.push(Buffer.alloc(0), out);
    f.push(Buffer.from('a'), out);
    f.push(Buffer.alloc(0), out);
    expect(out).toEqual([]);
    expect(f.position).toBe(1);
    f.push(Buffer.from('\n'), out);
    expect(records(out)).toEqual([['a', '\n', 0, 2, 1]]);
  });

  it('holds a partial line until its newline arrives', () => {
    const f = framer();
    const out: Line[] = [];
    f.push(Buffer.from('first\nsec'), out);
    expect(texts(out)).toEqual(['first']);
    expect(f.bufferedBytes).toBe(3);
    f.push(Buffer.from('ond'), out);
    expect(texts(out)).toEqual(['first']);
    expect(f.bufferedBytes).toBe(6);
    f.push(Buffer.from('\n'), out);
    expect(records(out)).toEqual([
      ['first', '\n', 0, 6, 1],
      ['second', '\n', 6, 13, 2],
    ]);
    expect(f.bufferedBytes).toBe(0);
  });

  it('joins a line split across three chunks', () => {
    expect(records(frame(['ab', 'cd', 'ef\n']))).toEqual([['abcdef', '\n', 0, 7, 1]]);
  });

  it('ends the held line with a newline that arrives alone', () => {
    expect(records(frame(['abc', '\n', 'd', '\n']))).toEqual([
      ['abc', '\n', 0, 4, 1],
      ['d', '\n', 4, 6, 2],
    ]);
  });

  it('emits an empty line for each newline in a row', () => {
    expect(records(frame(['\n\n', '\n']))).toEqual([
      ['', '\n', 0, 1, 1],
      ['', '\n', 1, 2, 2],
      ['', '\n', 2, 3, 3],
    ]);
  });

  it('accumulates many one-byte writes', () => {
    expect(texts(frame([...'hello\nworld\n'].map((c) => c)))).toEqual(['hello', 'world']);
  });

  const chars = [
    ['é', 2],
    ['€', 3],
    ['😀', 4],
  ] as const;
  const splits = chars.flatMap(([ch, size]) => Array.from({ length: size - 1 }, (_, i) => [ch, size, i + 1] as const));

  it.each(splits)('keeps a UTF-8 character split across two chunks intact (%s, %i bytes, cut after byte %i)', (ch, size, at) => {
    const input = Buffer.from(`x${ch}y\n`);
    expect(input.length).toBe(size + 3);
    const lines = frame([input.subarray(0, 1 + at), input.subarray(1 + at)]);
    expect(records(lines)).toEqual([[`x${ch}y`, '\n', 0, size + 3, 1]]);
  });

  it.each(splits)('keeps a UTF-8 character split across two chunks intact at the end of a final line (%s, cut after byte %i)', (ch, _size, at) => {
    const input = Buffer.from(ch);
    expect(texts(frame([input.subarray(0, at), input.subarray(at)]))).toEqual([ch]);
  });

  it('keeps a 4-byte character split across four chunks intact', () => {
    const input = Buffer.from('a😀b\n');
    expect(texts(frame(chunked(input, 1)))).toEqual(['a😀b']);
  });

  it('strips the CR of a CRLF in one chunk', () => {
    expect(records(frame(['one\r\ntwo\r\n']))).toEqual([
      ['one', '\r\n', 0, 5, 1],
      ['two', '\r\n', 5, 10, 2],
    ]);
  });

  it('strips the CR of a CRLF split across chunks', () => {
    expect(records(frame(['one\r', '\ntwo\r', '\n']))).toEqual([
      ['one', '\r\n', 0, 5, 1],
      ['two', '\r\n', 5, 10, 2],
    ]);
  });

  it('strips the CR of a CRLF when the CR arrives in a chunk of its own', () => {
    expect(records(frame(['one', '\r', '\n']))).toEqual([['one', '\r\n', 0, 5, 1]]);
  });

  it('emits an empty CRLF line as empty text with eol CRLF', () => {
    expect(records(frame(['\r\n', '\r', '\n']))).toEqual([
      ['', '\r\n', 0, 2, 1],
      ['', '\r\n', 2, 4, 2],
    ]);
  });

  it('keeps a lone CR inside a line', () => {
    expect(records(frame(['a\rb\n']))).toEqual([['a\rb', '\n', 0, 4, 1]]);
  });

  it('keeps a CR at the end of a chunk when the next chunk does not start with a newline', () => {
    expect(records(frame(['a\r', 'b\n']))).toEqual([['a\rb', '\n', 0, 4, 1]]);
  });

  it('keeps all but the last CR of a CR CR LF', () => {
    expect(records(frame(['a\r\r', '\n']))).toEqual([['a\r', '\r\n', 0, 4, 1]]);
  });

  it('keeps a CR that ends the input as text of the final line', () => {
    expect(records(frame(['a\r']))).toEqual([['a\r', '', 0, 2, 1]]);
  });

  it('keeps NUL bytes inside lines', () => {
    expect(records(frame(['a\0b\n\0\n', '\0']))).toEqual([
      ['a\0b', '\n', 0, 4, 1],
      ['\0', '\n', 4, 6, 2],
      ['\0', '', 6, 7, 3],
    ]);
  });

  it('frames on NUL with the NUL delimiter, keeping newlines and CRs as text', () => {
    expect(records(frame(['one\ntwo\0thr', 'ee\r\0\0'], { delimiter: 0 }))).toEqual([
      ['one\ntwo', '\0', 0, 8, 1],
      ['three\r', '\0', 8, 15, 2],
      ['', '\0', 15, 16, 3],
    ]);
  });

  it('emits a final line without newline only on flush (eol "")', () => {
    const f = framer();
    const out: Line[] = [];
    f.push(Buffer.from('done\nhalf'), out);
    expect(texts(out)).toEqual(['done']);
    f.flush(out);
    expect(records(out)).toEqual([
      ['done', '\n', 0, 5, 1],
      ['half', '', 5, 9, 2],
    ]);
    expect(f.bufferedBytes).toBe(0);
  });

  it('emits nothing on flush when the input ended with its delimiter', () => {
    expect(texts(frame(['a\n']))).toEqual(['a']);
    expect(frame([])).toEqual([]);
  });

  it('flushes a held line only once, and numbers the next line after it', () => {
    const f = framer();
    const out: Line[] = [];
    f.push(Buffer.from('abc'), out);
    f.flush(out);
    f.flush(out);
    f.push(Buffer.from('de\n'), out);
    expect(records(out)).toEqual([
      ['abc', '', 0, 3, 1],
      ['de', '\n', 3, 6, 2],
    ]);
  });

  it('a 1 MiB line comes out whole, in one chunk or in 64 KiB chunks', () => {
    const line = Buffer.alloc(1024 * 1024, 'x');
    const input = Buffer.concat([line, Buffer.from('\nafter\n')]);
    for (const chunks of [[input], chunked(input, 64 * 1024), chunked(input, 1000)]) {
      const lines = frame(chunks, { maxLineBytes: 1024 * 1024 });
      expect(lines).toHaveLength(2);
      expect(lines[0]!.text).toBe(line.toString());
      expect(lines[0]!.end).toBe(line.length + 1);
      expect(records(lines.slice(1))).toEqual([['after', '\n', line.length + 1, line.length + 7, 2]]);
    }
  });

  it('decodes each byte as a character with the latin1 encoding', () => {
    expect(texts(frame([Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])], { encoding: 'latin1' }))).toEqual(['café']);
  });

  it('with the ascii encoding, ends lines only at real delimiters, not at bytes that look like one without their high bit', () => {
    expect(records(frame([Buffer.from([0x61, 0x8a, 0x62, 0x8d, 0x0a, 0x63, 0x0a])], { encoding: 'ascii' }))).toEqual([
      ['a\nb\r', '\n', 0, 5, 1],
      ['c', '\n', 5, 7, 2],
    ]);
    expect(records(frame([Buffer.from([0x61, 0x80, 0x62, 0x00])], { encoding: 'ascii', delimiter: 0 }))).toEqual([['a\0b', '\0', 0, 4, 1]]);
  });

  it('names the source in every line', () => {
    expect(frame(['a\nb'], { source: '/var/log/x.log' }).map((line) => line.source)).toEqual(['/var/log/x.log', '/var/log/x.log']);
  });
});

describe('Framer: offsets and line numbers', () => {
  it('gives exact offset and end for every line, counting the CR of a CRLF in end only', () => {
    expect(records(frame(['a\r\n\nbb', 'b\r\n€\n', 'tail']))).toEqual([
      ['a', '\r\n', 0, 3, 1],
      ['', '\n', 3, 4, 2],
      ['bbb', '\r\n', 4, 9, 3],
      ['€', '\n', 9, 13, 4],
      ['tail', '', 13, 17, 5],
    ]);
  });

  it('advances position by every byte pushed, held or not', () => {
    const f = framer();
    const out: Line[] = [];
    f.push(Buffer.from('ab\ncd'), out);
    expect(f.position).toBe(5);
    f.push(Buffer.from('e'), out);
    expect(f.position).toBe(6);
  });

  it('starts offsets at startOffset and numbers at firstLineNumber', () => {
    const lines = frame(['x\nyz\n', 'w'], { startOffset: 1000, firstLineNumber: 41 });
    expect(records(lines)).toEqual([
      ['x', '\n', 1000, 1002, 41],
      ['yz', '\n', 1002, 1005, 42],
      ['w', '', 1005, 1006, 43],
    ]);
  });

  it('keeps the offset of a held line that started in an earlier chunk', () => {
    const lines = frame(['0123\n45', '67', '89\n'], { startOffset: 10 });
    expect(records(lines)).toEqual([
      ['0123', '\n', 10, 15, 1],
      ['456789', '\n', 15, 22, 2],
    ]);
  });
});

describe('Framer: release (a partial last line passed through)', () => {
  it('emits what is held as a piece without terminator; the rest of the line comes as the next piece, same line number', () => {
    const f = framer();
    const out: Line[] = [];
    f.push(bytes('x\ny'), out);
    f.release(out);
    f.push(bytes('z\nw'), out);
    f.release(out);
    f.release(out);
    f.push(bytes('\n'), out);
    expect(records(out)).toEqual([
      ['x', '\n', 0, 2, 1],
      ['y', '', 2, 3, 2],
      ['z', '\n', 3, 5, 2],
      ['w', '', 5, 6, 3],
      ['', '\n', 6, 7, 3],
    ]);
    expect(f.unfinishedStart).toBe(7);
  });

  it('holds back a CR that may begin a CRLF, and the start of a UTF-8 character not complete yet', () => {
    const f = framer();
    const out: Line[] = [];
    const euro = Buffer.from('€');
    f.push(Buffer.concat([bytes('a\r')]), out);
    f.release(out);
    f.push(Buffer.concat([bytes('\nb'), euro.subarray(0, 2)]), out);
    f.release(out);
    f.push(Buffer.concat([euro.subarray(2), bytes('\n')]), out);
    expect(records(out)).toEqual([
      ['a', '', 0, 1, 1],
      ['', '\r\n', 1, 3, 1],
      ['b', '', 3, 4, 2],
      ['€', '\n', 4, 8, 2],
    ]);
    expect(out.map((line) => line.text + line.eol).join('')).toBe('a\r\nb€\n');
  });
});

describe('Framer: skipLines', () => {
  it('drops the first N lines and numbers the rest as true line numbers', () => {
    expect(records(frame(['one\ntwo\nthree\nfour\n'], { skipLines: 2 }))).toEqual([
      ['three', '\n', 8, 14, 3],
      ['four', '\n', 14, 19, 4],
    ]);
  });

  it('drops lines split across chunks', () => {
    expect(records(frame(['on', 'e\ntw', 'o', '\nthr', 'ee\n'], { skipLines: 2 }))).toEqual([['three', '\n', 8, 14, 3]]);
  });

  it('skips an overlong line whole, without holding its bytes or reporting it', () => {
    const seen: number[] = [];
    const f = framer({ skipLines: 1, maxLineBytes: 8, onTooLong: (at) => seen.push(at) });
    const out: Line[] = [];
    f.push(Buffer.alloc(100, 'x'), out);
    expect(f.bufferedBytes).toBe(0);
    f.push(Buffer.from('\nkept\n'), out);
    expect(records(out)).toEqual([['kept', '\n', 101, 106, 2]]);
    expect(seen).toEqual([]);
  });

  it('drops a partial line held while still skipping when flushed', () => {
    const f = framer({ skipLines: 3 });
    const out: Line[] = [];
    f.push(Buffer.from('a\nb'), out);
    f.flush(out);
    expect(out).toEqual([]);
    expect(f.bufferedBytes).toBe(0);
  });

  it('emits the final unterminated line once the skipping is done', () => {
    expect(records(frame(['a\nb\nc'], { skipLines: 2 }))).toEqual([['c', '', 4, 5, 3]]);
  });

  it('emits nothing when there are fewer lines than skipLines', () => {
    expect(frame(['a\nb\n'], { skipLines: 5 })).toEqual([]);
  });

  it('counts skipped lines from firstLineNumber and offsets from startOffset', () => {
    expect(records(frame(['a\nb\n'], { skipLines: 1, startOffset: 7, firstLineNumber: 10 }))).toEqual([['b', '\n', 9, 11, 11]]);
  });

  it('with the NUL delimiter, skips NUL-terminated records', () => {
    expect(texts(frame(['a\nb\0c\0d'], { delimiter: 0, skipLines: 1 }))).toEqual(['c', 'd']);
  });
});

describe("Framer: overlong lines, 'split'", () => {
  it('emits pieces of at most maxLineBytes with eol "" except the last piece', () => {
    const seen: number[] = [];
    const lines = frame(['abcdefghij\nk\n'], { maxLineBytes: 4, onTooLong: (at) => seen.push(at) });
    expect(records(lines)).toEqual([
      ['abcd', '', 0, 4, 1],
      ['efgh', '', 4, 8, 1],
      ['ij', '\n', 8, 11, 1],
      ['k', '\n', 11, 13, 2],
    ]);
    expect(seen).toEqual([4, 8]);
  });

  it('emits the same pieces when the line arrives a byte at a time', () => {
    const seen: number[] = [];
    const lines = frame(chunked(Buffer.from('abcdefghij\nk\n'), 1), { maxLineBytes: 4, onTooLong: (at) => seen.push(at) });
    expect(records(lines)).toEqual([
      ['abcd', '', 0, 4, 1],
      ['efgh', '', 4, 8, 1],
      ['ij', '\n', 8, 11, 1],
      ['k', '\n', 11, 13, 2],
    ]);
    expect(seen).toEqual([4, 8]);
  });

  it('emits pieces of a held line before its newline arrives', () => {
    const f = framer({ maxLineBytes: 4 });
    const out: Line[] = [];
    f.push(Buffer.from('abcdefghij'), out);
    expect(records(out)).toEqual([
      ['abcd', '', 0, 4, 1],
      ['efgh', '', 4, 8, 1],
    ]);
    expect(f.bufferedBytes).toBe(2);
  });

  it('keeps a line of exactly maxLineBytes whole and does not report it', () => {
    const seen: number[] = [];
    expect(records(frame(['abcd\nabcd'], { maxLineBytes: 4, onTooLong: (at) => seen.push(at) }))).toEqual([
      ['abcd', '\n', 0, 5, 1],
      ['abcd', '', 5, 9, 2],
    ]);
    expect(seen).toEqual([]);
  });

  it('does not count the CR of a CRLF against the limit, even when the chunk ends between CR and LF', () => {
    const seen: number[] = [];
    for (const chunks of [['abcd\r\n'], ['abcd\r', '\n'], ['ab', 'cd\r', '\n']]) {
      expect(records(frame(chunks, { maxLineBytes: 4, onTooLong: (at) => seen.push(at) }))).toEqual([['abcd', '\r\n', 0, 6, 1]]);
    }
    expect(seen).toEqual([]);
  });

  it('splits a long CRLF line the same way wherever the chunk ends', () => {
    const want = [
      ['abcd', '', 0, 4, 1],
      ['efgh', '\r\n', 4, 10, 1],
    ];
    expect(records(frame(['abcdefgh\r\n'], { maxLineBytes: 4 }))).toEqual(want);
    expect(records(frame(['abcdefgh\r', '\n'], { maxLineBytes: 4 }))).toEqual(want);
    expect(records(frame(['abcdefgh', '\r', '\n'], { maxLineBytes: 4 }))).toEqual(want);
  });

  it('counts a CR that turns out not to end the line against the limit', () => {
    const want = [
      ['abcd', '', 0, 4, 1],
      ['\rx', '\n', 4, 7, 1],
    ];
    expect(records(frame(['abcd\rx\n'], { maxLineBytes: 4 }))).toEqual(want);
    expect(records(frame(['abcd\r', 'x\n'], { maxLineBytes: 4 }))).toEqual(want);
    // A final CR with no newline after it is text: the limit applies to it on flush.
    expect(records(frame(['abcd\r'], { maxLineBytes: 4 }))).toEqual([
      ['abcd', '', 0, 4, 1],
      ['\r', '', 4, 5, 1],
    ]);
  });

  it('never cuts a UTF-8 character, however the chunks fall', () => {
    const input = Buffer.from(`${'€'.repeat(5)}😀a😀\n`);
    const one = frame([input], { maxLineBytes: 5 });
    for (const size of [1, 2, 3, 7]) expect(records(frame(chunked(input, size), { maxLineBytes: 5 }))).toEqual(records(one));
    expect(texts(one)).toEqual(['€', '€', '€', '€', '€', '😀a', '😀']);
    for (const line of one) expect(Buffer.byteLength(line.text)).toBeLessThanOrEqual(5);
    expect(one.map((line) => line.text + line.eol).join('')).toBe(input.toString());
  });

  it('cuts between characters at the limit when a character ends exactly there', () => {
    expect(texts(frame(['é€😀é\n'], { maxLineBytes: 9 }))).toEqual(['é€😀', 'é']);
  });

  it('cuts latin1 lines at exactly maxLineBytes, since every byte is a character', () => {
    const input = Buffer.from([0x61, 0xa9, 0xa9, 0xa9, 0xa9, 0xa9, 0x0a]);
    expect(records(frame([input], { maxLineBytes: 4, encoding: 'latin1' }))).toEqual([
      ['a©©©', '', 0, 4, 1],
      ['©©', '\n', 4, 7, 1],
    ]);
  });

  it('reports the offset of every cut', () => {
    const seen: number[] = [];
    frame(['xy\n', '€€€€\n'], { maxLineBytes: 4, onTooLong: (at) => seen.push(at) });
    expect(seen).toEqual([6, 9, 12]);
  });

  it('splits an overlong final line without newline on flush', () => {
    expect(records(frame(['abcdefghij'], { maxLineBytes: 4 }))).toEqual([
      ['abcd', '', 0, 4, 1],
      ['efgh', '', 4, 8, 1],
      ['ij', '', 8, 10, 1],
    ]);
  });

  it('splits a 4 MiB chunk into 64-byte pieces without copying the rest for each piece', { timeout: 3000 }, () => {
    const f = framer({ maxLineBytes: 64 });
    const out: Line[] = [];
    f.push(Buffer.from('x'), out);
    f.push(Buffer.alloc(4 * 1024 * 1024, 'y'), out);
    expect(out).toHaveLength(65536);
    expect(f.bufferedBytes).toBe(1);
    expect(out[65535]!.end).toBe(4 * 1024 * 1024);
  });
});

describe("Framer: overlong lines, 'truncate'", () => {
  it('keeps the first maxLineBytes bytes and drops the rest up to the delimiter', () => {
    const seen: number[] = [];
    const lines = frame(['abcdefghij\nk\n'], { maxLineBytes: 4, overlong: 'truncate', onTooLong: (at) => seen.push(at) });
    expect(records(lines)).toEqual([
      ['abcd', '\n', 0, 11, 1],
      ['k', '\n', 11, 13, 2],
    ]);
    expect(seen).toEqual([4]);
  });

  it('truncates the same way when the line arrives in many chunks', () => {
    const seen: number[] = [];
    const input = Buffer.from('abcdefghij\nk\n');
    for (const size of [1, 2, 3, 5, 6]) {
      const lines = frame(chunked(input, size), { maxLineBytes: 4, overlong: 'truncate', onTooLong: (at) => seen.push(at) });
      expect(records(lines)).toEqual([
        ['abcd', '\n', 0, 11, 1],
        ['k', '\n', 11, 13, 2],
      ]);
    }
    expect(seen).toEqual([4, 4, 4, 4, 4]);
  });

  it('truncates at a character boundary', () => {
    const seen: number[] = [];
    const input = Buffer.from('a€€€\nb\n');
    for (const chunks of [[input], chunked(input, 1), chunked(input, 3)]) {
      expect(records(frame(chunks, { maxLineBytes: 6, overlong: 'truncate', onTooLong: (at) => seen.push(at) }))).toEqual([
        ['a€', '\n', 0, 11, 1],
        ['b', '\n', 11, 13, 2],
      ]);
    }
    expect(seen).toEqual([4, 4, 4]);
  });

  it('keeps the CRLF ending of a truncated line, even when its CR was dropped in an earlier chunk', () => {
    const want = [['abcd', '\r\n', 0, 8, 1]];
    for (const chunks of [['abcdef\r\n'], ['abcdef\r', '\n'], ['abcde', 'f\r', '\n'], ['abcdef', '\r', '\n']]) {
      expect(records(frame(chunks, { maxLineBytes: 4, overlong: 'truncate' }))).toEqual(want);
    }
    // A CR that was dropped but followed by more text is not part of the ending.
    expect(records(frame(['abcdef\r', 'x\n'], { maxLineBytes: 4, overlong: 'truncate' }))).toEqual([['abcd', '\n', 0, 9, 1]]);
  });

  it('does not truncate a CRLF line of exactly maxLineBytes when the chunk ends after the CR', () => {
    const seen: number[] = [];
    expect(records(frame(['abcd\r', '\n'], { maxLineBytes: 4, overlong: 'truncate', onTooLong: (at) => seen.push(at) }))).toEqual([
      ['abcd', '\r\n', 0, 6, 1],
    ]);
    expect(seen).toEqual([]);
  });

  it('truncates an overlong final line without newline on flush, ending at the last byte pushed', () => {
    expect(records(frame(['ok\nabcdefghij'], { maxLineBytes: 4, overlong: 'truncate' }))).toEqual([
      ['ok', '\n', 0, 3, 1],
      ['abcd', '', 3, 13, 2],
    ]);
  });
});

describe('Framer: memory stays bounded', () => {
  it.each(['split', 'truncate'] as const)(
    "holds at most maxLineBytes + 1 bytes while a 10 MB line without newline arrives in 64 KiB chunks ('%s')",
    (overlong) => {
      const max = 100_000;
      const f = framer({ maxLineBytes: max, overlong });
      const out: Line[] = [];
      const chunk = Buffer.alloc(64 * 1024, 'z');
      let most = 0;
      let pushed = 0;
      while (pushed < 10_000_000) {
        f.push(chunk, out);
        pushed += chunk.length;
        most = Math.max(most, f.bufferedBytes);
      }
      expect(most).toBeLessThanOrEqual(max + 1);
      expect(most).toBeGreaterThan(max / 2);
      f.push(Buffer.from('\n'), out);
      expect(f.bufferedBytes).toBe(0);
      const last = out.at(-1)!;
      expect(last.end).toBe(pushed + 1);
      expect(last.eol).toBe('\n');
      if (overlong === 'truncate') {
        expect(out).toHaveLength(1);
        expect(out[0]!.text).toBe('z'.repeat(max));
      } else {
        expect(out.reduce((sum, line) => sum + line.text.length, 0)).toBe(pushed);
        for (const line of out) expect(line.text.length).toBeLessThanOrEqual(max);
      }
    },
  );
});

describe('Framer: properties', () => {
  const alphabet = ['\n', '\r', '\0', 'a', 'b', 'é', '€', '😀', '\r\n'];
  const contents = fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((parts) => Buffer.from(parts.join('')));
  /** An input and where to cut it into chunks (anywhere, even inside a character or a CRLF). */
  const chunkedContents = contents.chain((input) =>
    fc.tuple(fc.constant(input), fc.array(fc.nat({ max: Math.max(input.length - 1, 0) }), { maxLength: 16 })),
  );

  function run(chunks: Buffer[], options: Options): { lines: Line[]; tooLong: number[] } {
    const tooLong: number[] = [];
    return { lines: frame(chunks, { ...options, onTooLong: (at) => tooLong.push(at) }), tooLong };
  }

  it('reproduces the input from text + eol, with contiguous offsets, whatever the chunking', () => {
    fc.assert(
      fc.property(chunkedContents, fc.constantFrom<10 | 0>(10, 0), ([input, cutPoints], delimiter) => {
        const { lines } = run(cutAt(input, cutPoints), { delimiter });
        expect(lines.map((line) => line.text + line.eol).join('')).toBe(input.toString('utf8'));
        let at = 0;
        lines.forEach((line, i) => {
          expect(line.offset).toBe(at);
          expect(line.lineNumber).toBe(i + 1);
          expect(Buffer.byteLength(line.text + line.eol)).toBe(line.end - line.offset);
          at = line.end;
        });
        expect(at).toBe(input.length);
        expect(records(lines)).toEqual(records(run([input], { delimiter }).lines));
      }),
      { numRuns: 300 },
    );
  });

  it('splits and truncates overlong lines the same way whatever the chunking', () => {
    fc.assert(
      fc.property(
        chunkedContents,
        fc.constantFrom<10 | 0>(10, 0),
        fc.integer({ min: 4, max: 8 }),
        fc.constantFrom('split' as const, 'truncate' as const),
        ([input, cutPoints], delimiter, maxLineBytes, overlong) => {
          const options = { delimiter, maxLineBytes, overlong };
          const whole = run([input], options);
          const cut = run(cutAt(input, cutPoints), options);
          expect(records(cut.lines)).toEqual(records(whole.lines));
          expect(cut.tooLong).toEqual(whole.tooLong);
          for (const line of cut.lines) {
            expect(Buffer.byteLength(line.text)).toBeLessThanOrEqual(maxLineBytes);
            expect(line.text).not.toContain('\uFFFD');
          }
          if (overlong === 'split') {
            expect(cut.lines.map((line) => line.text + line.eol).join('')).toBe(input.toString('utf8'));
          } else {
            const eol = delimiter === 10 ? '\n' : '\0';
            const whole = input.toString('utf8').split(eol);
            if (whole.at(-1) === '') whole.pop();
            expect(cut.lines).toHaveLength(whole.length);
            cut.lines.forEach((line, i) => expect(whole[i]!.startsWith(line.text)).toBe(true));
            expect(cut.lines.at(-1)?.end ?? 0).toBe(input.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('Framer: large inputs, decoded a window at a time', () => {
  type Encoding = FramerOptions['encoding'];

  /** What the framer must give for a whole input: every line cut at its delimiter and decoded alone. */
  function reference(input: Buffer, delimiter: 10 | 0, encoding: Encoding): [string, string, number, number, number][] {
    const lines: [string, string, number, number, number][] = [];
    for (let pos = 0, n = 1; pos < input.length; n++) {
      const idx = input.indexOf(delimiter, pos);
      const next = idx === -1 ? input.length : idx + 1;
      let end = idx === -1 ? input.length : idx;
      let eol = idx === -1 ? '' : delimiter === 10 ? '\n' : '\0';
      if (idx !== -1 && delimiter === 10 && end > pos && input[end - 1] === 13) {
        end--;
        eol = '\r\n';
      }
      lines.push([input.toString(encoding, pos, end), eol, pos, next, n]);
      pos = next;
    }
    return lines;
  }

  /**
   * ~300 KB of lines: mostly short ASCII, some of 20-70 KB (longer than a window), some CRLF, and,
   * when `nonAscii`, some lines with UTF-8 characters or stray high bytes (so some windows are not ASCII).
   */
  function corpus(seed: number, delimiter: 10 | 0, nonAscii: boolean): Buffer {
    const next = prng(seed);
    const parts: Buffer[] = [];
    let size = 0;
    while (size < 300_000) {
      const roll = next() % 100;
      const length = roll < 3 ? 20_000 + (next() % 50_000) : next() % 160;
      const line = Buffer.alloc(length, 'a'.charCodeAt(0) + (next() % 26));
      if (nonAscii && roll >= 94 && length >= 4) {
        // A UTF-8 character, stray bytes, and bytes that are a delimiter or a CR once their high bit is dropped.
        const bytes = roll < 97 ? [0xe2, 0x82, 0xac] : roll < 99 ? [0xff, 0xc3] : [0x8a, 0x8d, 0x80];
        Buffer.from(bytes).copy(line, next() % (length - 3));
      }
      const crlf = delimiter === 10 && next() % 8 === 0;
      const part = Buffer.concat([line, Buffer.from(crlf ? [13, delimiter] : [delimiter])]);
      parts.push(part);
      size += part.length;
    }
    // An unfinished last line, sometimes ending with a CR.
    parts.push(Buffer.from(next() % 2 === 0 ? 'tail\r' : 'tail'));
    return Buffer.concat(parts);
  }

  const cases = (['utf8', 'latin1', 'ascii'] as const).flatMap((encoding) =>
    ([10, 0] as const).flatMap((delimiter) => [false, true].map((nonAscii) => [encoding, delimiter, nonAscii] as const)),
  );

  it.each(cases)('frames %s with delimiter %i (non-ASCII: %s) like line-by-line decoding, whatever the chunking', (encoding, delimiter, nonAscii) => {
    const input = corpus(delimiter + (nonAscii ? 7 : 0) + encoding.length, delimiter, nonAscii);
    const expected = reference(input, delimiter, encoding);
    const next = prng(99);
    const randomCuts = Array.from({ length: 40 }, () => next() % input.length);
    for (const chunks of [[input], chunked(input, 1 << 20), chunked(input, 64 * 1024), chunked(input, 4093), cutAt(input, randomCuts)]) {
      expect(records(frame(chunks, { delimiter, encoding }))).toEqual(expected);
    }
  });

  it('splits over-long lines inside a large chunk the same way as across small chunks', () => {
    const input = corpus(5, 10, true);
    const options = { maxLineBytes: 30_000, overlong: 'split' as const };
    const whole = frame([input], options);
    expect(records(frame(chunked(input, 1000), options))).toEqual(records(whole));
    expect(whole.map((line) => line.text + line.eol).join('')).toBe(input.toString('utf8'));
    for (const line of whole) expect(Buffer.byteLength(line.text)).toBeLessThanOrEqual(30_000);
  });

  it('truncates over-long lines inside a large chunk the same way as across small chunks', () => {
    const input = corpus(6, 10, false);
    const options = { maxLineBytes: 30_000, overlong: 'truncate' as const };
    const expected = reference(input, 10, 'utf8').map(([text, eol, offset, end, n]) => [text.slice(0, 30_000), eol, offset, end, n]);
    expect(records(frame([input], options))).toEqual(expected);
    expect(records(frame(chunked(input, 1000), options))).toEqual(expected);
  });
});

describe('Framer: block mode', () => {
  /** What a byte-copying consumer writes: each block's bytes, each line's text and terminator. */
  const written = (lines: Line[]): Buffer =>
    Buffer.concat(lines.map((l) => (isBlock(l) ? Buffer.from(l.bytes) : Buffer.from(l.text + l.eol, 'latin1'))));

  it('hands out the complete lines of a chunk as one block: undecoded, counted, with their span', () => {
    const f = framer({ encoding: 'latin1', blocks: true });
    const out: Line[] = [];
    f.push(Buffer.from('a\r\nbb\n\xff\x00c\nhalf', 'latin1'), out);
    expect(out).toHaveLength(1);
    const block = out[0]!;
    expect(isBlock(block) && block.bytes.toString('latin1')).toBe('a\r\nbb\n\xff\x00c\n');
    expect([block.text, block.offset, block.end, block.lineNumber]).toEqual(['', 0, 10, 3]);
    // The unfinished line is held (copied), and numbered after the block's lines.
    f.push(Buffer.from('!\n'), out);
    expect(records(out.slice(1))).toEqual([['half!', '\n', 10, 16, 4]]);
  });

  it('writes exactly the bytes of line mode, ends at the same place and line number, however the input is cut', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a.map((b) => [10, 13, 0, 255, 97][b % 5]!))),
        fc.array(fc.nat(300), { maxLength: 8 }),
        fc.constantFrom(4, 16, 1 << 20),
        (input, cuts, maxLineBytes) => {
          const run = (blocks: boolean) => {
            const f = framer({ encoding: 'latin1', blocks, maxLineBytes });
            const out: Line[] = [];
            const bytes: Buffer[] = [];
            for (const chunk of cutAt(input, cuts)) {
              // A block is a view of the chunk: written before the next read reuses the buffer.
              const scratch = Buffer.from(chunk);
              const before = out.length;
              f.push(scratch, out);
              bytes.push(written(out.slice(before)));
              scratch.fill(0x78);
            }
            const before = out.length;
            f.flush(out);
            bytes.push(written(out.slice(before)));
            return { bytes: Buffer.concat(bytes), next: f.lineNumber, end: out.at(-1)?.end };
          };
          const lines = run(false);
          const blocks = run(true);
          expect(blocks.bytes.equals(input)).toBe(true);
          expect(lines.bytes.equals(input)).toBe(true);
          expect(blocks.next).toBe(lines.next);
          expect(blocks.end).toBe(lines.end);
        },
      ),
    );
  });
});

describe('Framer: prefilter', () => {
  it('frames every line holding a needle exactly as without it, counts the others, and frames over-long ones anyway', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('ERR', 'OK', 'E', 'RR', '\n', '\r\n', 'é', 'xxxxxxxxxx', 'WARN'), { maxLength: 80 }).map((parts) => Buffer.from(parts.join(''))),
        fc.array(fc.nat(400), { maxLength: 6 }),
        fc.constantFrom(8, 1 << 20),
        (input, cuts, maxLineBytes) => {
          const run = (prefilter?: Buffer[]) => {
            const f = framer({ prefilter, maxLineBytes });
            const out: Line[] = [];
            for (const chunk of cutAt(input, cuts)) f.push(chunk, out);
            f.flush(out);
            return { lines: out, next: f.lineNumber };
          };
          const all = run();
          const filtered = run([Buffer.from('ERR'), Buffer.from('WARN')]);
          const wanted = (l: Line) => l.text.includes('ERR') || l.text.includes('WARN');
          expect(records(filtered.lines.filter(wanted))).toEqual(records(all.lines.filter(wanted)));
          expect(filtered.next).toBe(all.next);
          // The last line is always framed: a checkpoint reaches the end of what was read.
          expect(filtered.lines.at(-1)?.end).toBe(all.lines.at(-1)?.end);
          // Whatever else it framed is a line it could not skip: a held one, or one over the limit.
          for (const line of filtered.lines.filter((l) => !wanted(l))) expect(all.lines.some((a) => a.offset === line.offset)).toBe(true);
        },
      ),
    );
  });

  it('reports an over-long line even when it holds no needle', () => {
    const seen: number[] = [];
    const lines = frame(['short\n', 'x'.repeat(20) + '\nERR\n'], { prefilter: [Buffer.from('ERR')], maxLineBytes: 8, onTooLong: (at) => seen.push(at) });
    expect(seen).toEqual([14, 22]);
    // 'short' is framed as the last line of its read (so that a checkpoint gets past it); the rest is
    // the over-long line in pieces and the line holding the needle.
    expect(texts(lines)).toEqual(['short', 'xxxxxxxx', 'xxxxxxxx', 'xxxx', 'ERR']);
    expect(lines.at(-1)!.lineNumber).toBe(3);
  });
});
