import { describe, expect, it } from 'vitest';
import { grep, processLines, type Line, type Processor } from '../../src/index.js';

function line(text: string, lineNumber: number): Line {
  return { text, source: 'mem', offset: lineNumber * 10, end: lineNumber * 10 + 10, lineNumber, eol: '\n' };
}

async function* from<T>(items: T[], pauseAfter = -1, pauseMs = 0): AsyncGenerator<T> {
  for (let i = 0; i < items.length; i++) {
    yield items[i]!;
    if (i === pauseAfter) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

describe('processLines', () => {
  it('runs the chain over any async iterable of lines or of batches', async () => {
    const upper: Processor = (t) => t.toUpperCase();
    const out: string[] = [];
    for await (const l of processLines(from([line('error a', 1), line('info b', 2)]), [grep(['error']), upper])) out.push(l.text);
    expect(out).toEqual(['ERROR A']);
    const batches: string[] = [];
    for await (const l of processLines(from([[line('x', 1), line('y', 2)]]), [upper])) batches.push(l.text);
    expect(batches).toEqual(['X', 'Y']);
  });

  it('flushes a stateful processor when its input goes quiet, before the input ends', async () => {
    const held: string[] = [];
    const joiner: Processor = {
      name: 'joiner',
      idleFlushMs: 20,
      process: (t) => {
        held.push(t);
        return null;
      },
      flush: () => (held.length > 0 ? [held.splice(0).join('+')] : []),
    };
    const seen: string[] = [];
    // The input pauses after its second line until the flushed event has come out (or 10 s have gone
    // by, and then the test fails): the idle flush must come during the pause, not at the end.
    let flushedDuringPause = false;
    async function* input(): AsyncGenerator<Line> {
      yield line('a', 1);
      yield line('b', 2);
      const deadline = Date.now() + 10_000;
      while (!seen.includes('a+b') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      flushedDuringPause = seen.includes('a+b');
      yield line('c', 3);
    }
    for await (const l of processLines(input(), [joiner])) seen.push(l.text);
    expect(seen).toEqual(['a+b', 'c']);
    expect(flushedDuringPause).toBe(true);
  });

  it('ends with the error under the stop policy, after the lines before it', async () => {
    const out: string[] = [];
    const failing: Processor = (t) => {
      if (t === 'b') throw new Error('bad');
    };
    await expect(
      (async () => {
        for await (const l of processLines(from([[line('a', 1), line('b', 2), line('c', 3)]]), [failing], { onError: 'stop' })) out.push(l.text);
      })(),
    ).rejects.toMatchObject({ code: 'ERR_PROCESSOR', lineNumber: 2 });
    expect(out).toEqual(['a']);
  });
});
