import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatchingStart } from '../src/matching-start.js';
import { statelessHead } from '../src/chain/prefilter.js';
import { grep } from '../src/chain/processors/grep.js';
import { exclude } from '../src/chain/processors/exclude.js';
import { json } from '../src/chain/processors/json.js';
import { multiline } from '../src/chain/processors/multiline.js';
import type { ProcessorObject } from '../src/chain/types.js';

/** An in-memory file for positional reads. */
const memory = (bytes: Buffer) => async (buf: Buffer, offset: number, length: number, position: number) => bytes.copy(buf, offset, position, Math.min(position + length, bytes.length));

async function offsetOf(content: string | Buffer, filters: ProcessorObject[], n: number, options: { maxLineBytes?: number; failuresPass?: boolean; delimiter?: 10 | 0 } = {}): Promise<number> {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const start = new MatchingStart(undefined, filters, n, { delimiter: options.delimiter ?? 10, encoding: 'utf8', maxLineBytes: options.maxLineBytes ?? 1 << 24, failuresPass: options.failuresPass ?? false });
  return start.matchingOffset(memory(bytes), bytes.length);
}

describe('where the last N lines that pass the head filters begin', () => {
  const log = 'INFO 1\nERROR 2\nINFO 3\nERROR 4\nINFO 5\n';

  it.each([
    [1, log.indexOf('ERROR 4')],
    [2, log.indexOf('ERROR 2')],
    [3, 0],
    [0, log.length],
  ])('with %i lines asked for, begins at %i', async (n, expected) => {
    expect(await offsetOf(log, [grep(['ERROR'])], n)).toBe(expected);
  });

  it('counts a last line without a delimiter, and takes a CRLF line without its CR', async () => {
    expect(await offsetOf('ERROR a\nINFO\nERROR b', [grep(['ERROR'])], 1)).toBe(13);
    expect(await offsetOf('a\r\nERROR b\r\nc\r\n', [grep(['b$'])], 1)).toBe(3);
  });

  it('applies every filter of the head in order, each on what the one before gave', async () => {
    const lines = ['{"level":"error","n":1}', 'x', '{"level":"info"}', '{"level":"error","n":2}', '{"level":"error","n":3}'];
    const text = lines.join('\n') + '\n';
    expect(await offsetOf(text, [json({ where: ['level=error'] }), exclude(['"n":3'])], 2)).toBe(0);
    expect(await offsetOf(text, [json({ where: ['level=error'] }), exclude(['"n":3'])], 1)).toBe(text.indexOf('{"level":"error","n":2}'));
    // A line the filter fails on gets through only under the pass policy.
    expect(await offsetOf(text, [json({ where: ['level!=info'] })], 3, { failuresPass: true })).toBe(text.indexOf('\nx\n') + 1);
    expect(await offsetOf(text, [json({ where: ['level!=info'] })], 3)).toBe(0);
  });

  it('finds lines across the 64 KiB blocks it reads, and passes over lines longer than the framer keeps whole', async () => {
    const filler = Array.from({ length: 3000 }, (_, i) => `INFO ${'x'.repeat(50)} ${i}`).join('\n');
    const text = `ERROR first\n${filler}\nERROR ${'y'.repeat(200)}\n${filler}\n`;
    expect(await offsetOf(text, [grep(['ERROR'])], 2)).toBe(0);
    expect(await offsetOf(text, [grep(['ERROR'])], 1)).toBe(text.indexOf('ERROR y'));
    expect(await offsetOf(text, [grep(['ERROR'])], 1, { maxLineBytes: 100 })).toBe(0);
  });

  it('agrees with grep | tail -n N on random files', async () => {
    const line = fc.stringMatching(/^[ab\r]{0,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.integer({ min: 1, max: 8 }), async (lines, finalNewline, n) => {
        const text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
        const offsets: number[] = [];
        let at = 0;
        const parts = text === '' ? [] : (finalNewline ? text.slice(0, -1) : text).split('\n');
        for (const part of parts) {
          if (/a/.test(part.replace(/\r$/, ''))) offsets.push(at);
          at += part.length + 1;
        }
        const expected = offsets.length >= n ? offsets[offsets.length - n]! : 0;
        expect(await offsetOf(text, [grep(['a'])], n)).toBe(text === '' ? 0 : expected);
      }),
      { numRuns: 300 },
    );
  });

  it('takes as head filters only the stateless built-ins at the start of the chain', () => {
    const g = grep(['x']);
    const e = exclude(['y']);
    expect(statelessHead([g, e, multiline('^a'), grep(['z'])])).toEqual([g, e]);
    expect(statelessHead([multiline('^a'), g])).toEqual([]);
    expect(statelessHead([(t: string) => t, g])).toEqual([]);
    expect(statelessHead([{ name: 'plugin', process: () => undefined }, g])).toEqual([]);
  });
});
