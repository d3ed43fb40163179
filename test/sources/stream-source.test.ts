import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tail, TailError } from '../../src/index.js';
import { collect, waitFor } from '../helpers/wait.js';

describe('streams as sources', () => {
  it('yields each line as it arrives, not at the end of the stream', async () => {
    const input = new PassThrough();
    const out = collect(tail(input));
    input.write('one\ntw');
    await out.until(1);
    expect(out.lines[0]).toMatchObject({ text: 'one', source: '-', offset: 0, end: 4, lineNumber: 1 });
    input.write('o\n');
    await out.until(2);
    input.end('three');
    await out.until(3);
    expect(out.lines.map((l) => [l.text, l.eol])).toEqual([
      ['one', '\n'],
      ['two', '\n'],
      ['three', ''],
    ]);
    await out.stop();
  });

  it('ends the iteration when the stream ends', async () => {
    const texts: string[] = [];
    for await (const line of tail(Readable.from([Buffer.from('a\nb\n'), 'c\n']))) texts.push(line.text);
    expect(texts).toEqual(['a', 'b', 'c']);
  });

  it('names lines after a named stream and reads several streams', async () => {
    const seen: string[] = [];
    const input = [
      { name: 'first', stream: Readable.from(['1\n']) },
      { name: 'second', stream: Readable.from(['2\n']) },
    ];
    for await (const line of tail(input)) seen.push(`${line.source}:${line.text}`);
    expect(seen.sort()).toEqual(['first:1', 'second:2']);
  });

  it.each([
    [{ lines: 2 }, ['d', 'e']],
    [{ fromLine: 4 }, ['d', 'e']],
    [{ bytes: 3 }, ['', 'e']],
    [{ fromByte: 5 }, ['c', 'd', 'e']],
  ] as const)('applies the start %j to a stream as GNU tail does to a pipe', async (start, expected) => {
    const texts: string[] = [];
    for await (const line of tail(Readable.from(['a\nb\nc', '\nd\ne\n']), { start })) texts.push(line.text);
    expect(texts).toEqual(expected);
  });

  it('reads only as fast as the consumer pulls', async () => {
    const input = new PassThrough({ highWaterMark: 64 * 1024 });
    const stream = tail(input);
    const block = Buffer.from('z'.repeat(1023) + '\n');
    let written = 0;
    let stopped = false;
    // A writer that respects back-pressure: it gets as far as the tail lets it.
    const writer = (async () => {
      while (!stopped && written < 16 * 1024 * 1024) {
        if (!input.write(block)) await once(input, 'drain');
        written += block.length;
      }
    })();
    expect((await stream.next()).value?.text).toHaveLength(1023);
    // The consumer now stops pulling. Give an eager reader ample time to run away with the input.
    await new Promise((r) => setTimeout(r, 200));
    expect(written).toBeLessThan(1024 * 1024);
    stopped = true;
    await stream.close();
    expect(input.destroyed).toBe(true);
    await Promise.race([writer, new Promise((r) => setTimeout(r, 10))]);
  });

  it('throws the stream error at the end, after the lines read before it', async () => {
    const input = new PassThrough();
    const out = collect(tail(input));
    input.write('kept\n');
    await out.until(1);
    input.destroy(Object.assign(new Error('disk on fire'), { code: 'EIO' }));
    await waitFor(() => out.error() !== undefined, 'the error');
    expect(out.texts()).toEqual(['kept']);
    expect(out.error()).toBeInstanceOf(TailError);
    expect(out.error()).toMatchObject({ code: 'EIO', source: '-' });
    await out.stop();
  });
});
