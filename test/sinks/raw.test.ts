import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Framer, type FramerOptions } from '../../src/lines/framer.js';
import type { Line } from '../../src/lines/line.js';
import { LineNames } from '../../src/sinks/identity.js';
import { rawBytes } from '../../src/sinks/raw.js';
import type { SinkLine } from '../../src/sinks/contract.js';
import type { Origin } from '../../src/sources/resume.js';

const origin: Origin = { source: 'app.log', dev: 1, ino: 2, born: 3, use: () => Promise.reject(new Error('not opened')) };

/**
 * `bytes` framed as one read from offset `at` (the unfinished end flushed), as the records a sink gets;
 * with `cut`, as two reads (bytes before and from `cut`), the records of the second one.
 */
function records(bytes: Buffer, framing: Partial<FramerOptions> = {}, at = 0, cut = 0): SinkLine[] {
  const options = { source: 'app.log', delimiter: 10, maxLineBytes: 1 << 20, overlong: 'split', encoding: 'utf8', startOffset: at, ...framing } as const;
  const framer = new Framer(options);
  framer.push(bytes.subarray(0, cut), []);
  const before = framer.heldLine;
  const lines: Line[] = [];
  const read = bytes.subarray(cut);
  framer.push(read, lines);
  framer.flush(lines);
  return new LineNames('h').of(lines, () => origin, { bytes: read, offset: at + cut, utf8: options.encoding === 'utf8', before });
}

/** What a message of lines `from`–`to` holds: the texts in UTF-8, each followed by `\n` if `terminated`. */
const expected = (r: readonly SinkLine[], from: number, to: number, terminated: boolean) =>
  Buffer.from(
    r
      .slice(from, to)
      .map((x) => x.line.text + (terminated ? '\n' : ''))
      .join(''),
  );

describe('rawBytes', () => {
  it('gives the bytes read for runs of whole lines of ASCII or valid UTF-8, a view without a copy', () => {
    const bytes = Buffer.from('first line\nsecond, ünïcödé €\nthird\n');
    const r = records(bytes, {}, 4096);
    const raw = rawBytes(r, 0, 3, true)!;
    expect(Buffer.from(raw).toString()).toBe(bytes.toString());
    expect(raw.buffer).toBe(bytes.buffer);
    expect(Buffer.from(rawBytes(r, 1, 2, false)!).toString()).toBe('second, ünïcödé €');
  });

  it('gives nothing where the bytes are not the texts: CRLF or NUL ends, invalid UTF-8, lines cut short, latin1, no chunk', () => {
    const none = (bytes: Buffer, framing: Partial<FramerOptions>, from: number, to: number, terminated: boolean) => rawBytes(records(bytes, framing), from, to, terminated);
    expect(none(Buffer.from('a\r\nb\n'), {}, 0, 2, true)).toBeUndefined();
    expect(none(Buffer.from('a\0b\0'), { delimiter: 0 }, 0, 2, true)).toBeUndefined();
    expect(none(Buffer.from([0x61, 0xff, 0x0a]), {}, 0, 1, false)).toBeUndefined();
    expect(none(Buffer.from('0123456789\n'), { maxLineBytes: 4, overlong: 'truncate' }, 0, 1, true)).toBeUndefined();
    expect(none(Buffer.from('aaa€\n'), { maxLineBytes: 2, overlong: 'truncate' }, 0, 1, false)).toBeUndefined();
    expect(none(Buffer.from('caf\xe9\n', 'latin1'), { encoding: 'latin1' }, 0, 1, false)).toBeUndefined();
    const lines: Line[] = [{ text: 'x', source: 'app.log', offset: 0, end: 2, lineNumber: 1, eol: '\n' }];
    expect(rawBytes(new LineNames('h').of(lines, () => origin), 0, 1, true)).toBeUndefined();
    // The line a read finished, begun in an earlier read: its first bytes are not in this chunk.
    const framer = new Framer({ source: 'app.log', delimiter: 10, maxLineBytes: 100, overlong: 'split', encoding: 'utf8' });
    const split: Line[] = [];
    framer.push(Buffer.from('hel'), split);
    const second = Buffer.from('lo\nworld\n');
    framer.push(second, split);
    const r = new LineNames('h').of(split, () => origin, { bytes: second, offset: 3, utf8: true });
    expect(rawBytes(r, 0, 2, true)).toBeUndefined();
    expect(Buffer.from(rawBytes(r, 1, 2, true)!).toString()).toBe('world\n');
  });

  it('gives the bytes of a line begun in the read before from those kept with the chunk (the framer holds them)', () => {
    const framer = new Framer({ source: 'app.log', delimiter: 10, maxLineBytes: 100, overlong: 'split', encoding: 'utf8' });
    const lines: Line[] = [];
    framer.push(Buffer.from('first\nhel'), lines);
    const before = framer.heldLine;
    expect(before?.toString()).toBe('hel');
    const second = Buffer.from('lo\nworld\n');
    framer.push(second, lines);
    const r = new LineNames('h').of(lines.slice(1), () => origin, { bytes: second, offset: 9, utf8: true, before });
    expect(Buffer.from(rawBytes(r, 0, 2, true)!).toString()).toBe('hello\nworld\n');
    expect(Buffer.from(rawBytes(r, 0, 1, false)!).toString()).toBe('hello');
    // While a line past the limit is being cut short, its bytes are not all kept.
    const truncating = new Framer({ source: 'app.log', delimiter: 10, maxLineBytes: 4, overlong: 'truncate', encoding: 'utf8' });
    truncating.push(Buffer.from('0123456789'), []);
    expect(truncating.heldLine).toBeUndefined();
  });

  it('is, whenever it gives bytes, exactly the texts encoded, for any bytes and framing', () => {
    const byte = fc.constantFrom(0x0a, 0x0d, 0x00, 0x61, 0x7a, 0x20, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xff, 0xf0, 0x9f);
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 60 }),
        fc.record({ encoding: fc.constantFrom('utf8', 'latin1', 'ascii'), delimiter: fc.constantFrom(10, 0), maxLineBytes: fc.integer({ min: 1, max: 12 }), overlong: fc.constantFrom('split', 'truncate') }),
        fc.nat(3),
        fc.nat(60),
        (list, framing, per, cut) => {
          const r = records(Buffer.from(list), framing as Partial<FramerOptions>, 0, Math.min(cut, list.length));
          const n = per + 1;
          for (let from = 0; from < r.length; from += n) {
            const to = Math.min(r.length, from + n);
            const terminated = n > 1;
            const raw = rawBytes(r, from, to, terminated);
            if (raw) expect(Buffer.from(raw).equals(expected(r, from, to, terminated))).toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
