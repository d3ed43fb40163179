import { describe, expect, it, vi } from 'vitest';
import type { Line } from '../../src/index.js';
import { ProcessorError } from '../../src/errors.js';
import { Chain, type ChainOptions, type ChainOutput } from '../../src/chain/run.js';
import type { Processor } from '../../src/chain/types.js';
import { ErrorReporter } from '../../src/chain/report.js';

function lines(texts: string[], source = 'app.log'): Line[] {
  let offset = 0;
  return texts.map((text, i) => {
    const line = { text, source, offset, end: offset + Buffer.byteLength(text) + 1, lineNumber: i + 1, eol: '\n' as const };
    offset = line.end;
    return line;
  });
}

function chain(processors: Processor[], options: Partial<ChainOptions> = {}) {
  const reported: ProcessorError[] = [];
  const c = new Chain(processors, { onError: 'log', timeoutMs: 1_000, report: (e) => reported.push(e), wake: () => {}, ...options });
  return { c, reported };
}

async function run(c: Chain, input: Line[]): Promise<Line[]> {
  return (await c.run(input)).lines;
}

describe('the processor chain', () => {
  it('replaces, drops, keeps and expands lines, in order', async () => {
    const { c } = chain([
      (t) => (t === 'drop' ? null : undefined),
      (t) => (t === 'two' ? ['two-a', 'two-b'] : t.toUpperCase()),
    ]);
    const out = await run(c, lines(['one', 'drop', 'two', 'three']));
    expect(out.map((l) => [l.text, l.lineNumber])).toEqual([
      ['ONE', 1],
      ['two-a', 3],
      ['two-b', 3],
      ['THREE', 4],
    ]);
  });

  it('never awaits when every processor is synchronous: run() returns an array', () => {
    const { c } = chain([(t) => t + '!', { name: 'keep', process: () => undefined }]);
    const result = c.run(lines(['a', 'b']));
    expect(result).not.toBeInstanceOf(Promise);
    expect((result as ChainOutput).lines.map((l) => l.text)).toEqual(['a!', 'b!']);
  });

  it('returns the very same line objects when nothing changed them', () => {
    const input = lines(['a']);
    const { c } = chain([() => undefined]);
    expect((c.run(input) as ChainOutput).lines[0]).toBe(input[0]);
  });

  it('keeps input order with async processors that settle out of order', async () => {
    const { c } = chain([async (t) => {
      await new Promise((r) => setTimeout(r, t === 'slow' ? 30 : 1));
      return t.toUpperCase();
    }]);
    const out = await run(c, lines(['slow', 'fast', 'slow', 'fast']));
    expect(out.map((l) => l.text)).toEqual(['SLOW', 'FAST', 'SLOW', 'FAST']);
  });

  it('keeps the lines kept before a processor first answers asynchronously', async () => {
    const { c } = chain([(t) => (t.startsWith('sync') ? undefined : Promise.resolve(t === 'drop' ? null : t.toUpperCase())), (t) => `${t}!`]);
    const out = await run(c, lines(['sync1', 'sync2', 'async', 'drop', 'sync3']));
    expect(out.map((l) => [l.text, l.lineNumber])).toEqual([
      ['sync1!', 1],
      ['sync2!', 2],
      ['ASYNC!', 3],
      ['sync3!', 5],
    ]);
  });

  it('isolates a throwing processor: 1000 lines, 10 BOOMs, 990 upper-cased in order, 10 reports', async () => {
    const boom: Processor = { name: 'boomer', process: (t) => { if (t.includes('BOOM')) throw new Error('no booms'); return t.toUpperCase(); } };
    const texts = Array.from({ length: 1000 }, (_, i) => (i % 100 === 7 ? `line ${i} BOOM` : `line ${i}`));
    const { c, reported } = chain([boom]);
    const out = await run(c, lines(texts));
    expect(out.map((l) => l.text)).toEqual(texts.filter((t) => !t.includes('BOOM')).map((t) => t.toUpperCase()));
    expect(reported).toHaveLength(10);
    expect(reported[0]).toMatchObject({ processor: 'boomer', source: 'app.log', lineNumber: 8, code: 'ERR_PROCESSOR' });
    expect(reported[0]!.message).toBe("processor 'boomer' failed on app.log:8: no booms");
  });

  it('isolates a rejecting async processor the same way', async () => {
    const { c, reported } = chain([async (t: string) => { if (t.includes('BOOM')) throw new Error('async boom'); return t.toUpperCase(); }]);
    const out = await run(c, lines(['a', 'BOOM', 'b']));
    expect(out.map((l) => l.text)).toEqual(['A', 'B']);
    expect(reported.map((e) => e.lineNumber)).toEqual([2]);
  });

  it.each([
    ['log', ['A', 'C'], 1, { failed: 1, skipped: 0 }],
    ['pass', ['A', 'b', 'C'], 1, { failed: 1, skipped: 0 }],
    ['skip', ['A', 'C'], 0, { failed: 0, skipped: 1 }],
  ] as const)('applies the %s policy', async (onError, expected, reports, counts) => {
    const { c, reported } = chain([(t) => { if (t === 'b') throw new Error('bad'); return t.toUpperCase(); }], { onError });
    expect((await run(c, lines(['a', 'b', 'c']))).map((l) => l.text)).toEqual(expected);
    expect(reported).toHaveLength(reports);
    expect(c.counts).toEqual(counts);
  });

  it('under the stop policy, returns the lines before the failure, through every processor, and records the error', async () => {
    const { c } = chain([(t) => { if (t === 'b') throw new Error('bad'); }, (t) => t.toUpperCase()], { onError: 'stop' });
    expect((await run(c, lines(['a', 'b', 'c']))).map((l) => l.text)).toEqual(['A']);
    expect(c.stopped).toBeInstanceOf(ProcessorError);
    expect(c.stopped).toMatchObject({ lineNumber: 2 });
  });

  it('under the stop policy, passes every line before the failure through the later processors', async () => {
    const { c } = chain([(t) => { if (t === 'b') throw new Error('bad'); }, (t) => t.toUpperCase()], { onError: 'stop' });
    expect((await run(c, lines(['a1', 'a2', 'a3', 'b', 'c']))).map((l) => l.text)).toEqual(['A1', 'A2', 'A3']);
    expect(c.stopped).toMatchObject({ lineNumber: 4 });
  });

  it('cuts off an async processor that never settles, as a failure of that line only', async () => {
    const { c, reported } = chain([(t) => (t === 'hang' ? new Promise<string>(() => {}) : t)], { timeoutMs: 50 });
    const out = await run(c, lines(['a', 'hang', 'b']));
    expect(out.map((l) => l.text)).toEqual(['a', 'b']);
    expect(reported[0]!.message).toBe("processor '#1' failed on app.log:2: did not settle within 50 ms");
  });

  it('reports a processor returning something else than the contract allows', async () => {
    const { c, reported } = chain([() => 42 as unknown as string]);
    expect(await run(c, lines(['a']))).toEqual([]);
    expect(reported[0]!.message).toBe("processor '#1' failed on app.log:1: returned the number 42; expected a string, null, undefined or an array");
  });

  it.each([
    ['[null]', [null], 'returned an array holding null at index 0; expected strings or { text: string } objects'],
    ['[42]', [42], 'returned an array holding the number 42 at index 0; expected strings or { text: string } objects'],
    ['[{ text: 1 }]', [{ text: 1 }], 'returned an array holding an object whose text is not a string at index 0; expected strings or { text: string } objects'],
    ['[{}]', [{}], 'returned an array holding an object without text at index 0; expected strings or { text: string } objects'],
    ['an object', { a: 1 }, 'returned an object; expected a string, null, undefined or an array'],
    ['a thenable whose then throws', { then() { throw new Error('then threw'); } }, 'then threw'],
    ['a promise of a thenable', Promise.resolve({ then: 1 }), 'returned an object; expected a string, null, undefined or an array'],
  ])('fails only the line a processor returns %s for, and goes on', async (_what, bad, message) => {
    const { c, reported } = chain([(t) => (t === 'b' ? (bad as unknown as string) : t.toUpperCase())]);
    const out = await run(c, lines(['a', 'b', 'c']));
    expect(out.map((l) => l.text)).toEqual(['A', 'C']);
    expect(reported.map((e) => e.message)).toEqual([`processor '#1' failed on app.log:2: ${message}`]);
  });

  it.each([
    ['returns 42', () => 42],
    ['returns a string', () => 'x'],
    ['returns [null]', () => [null]],
    ['throws', () => { throw new Error('flush threw'); }],
    ['rejects', () => Promise.reject(new Error('flush rejected'))],
  ])('reports a flush that %s as a failure of the last line it was given, keeping the lines already out', async (_what, flush) => {
    const { c, reported } = chain([{ name: 'f', process: () => undefined, flush: flush as () => [] }]);
    expect((await run(c, lines(['a', 'b']))).map((l) => l.text)).toEqual(['a', 'b']);
    expect((await c.end()).lines).toEqual([]);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toMatch(/^processor 'f' failed on app\.log:2: /);
  });

  it('flushes stateful processors at the end, through the later processors', async () => {
    const held: string[] = [];
    const joiner: Processor = {
      name: 'joiner',
      process: (t) => { held.push(t); return null; },
      flush: () => [held.splice(0).join('+')],
    };
    const { c } = chain([joiner, (t) => `<${t}>`]);
    expect(await run(c, lines(['a', 'b']))).toEqual([]);
    const flushed = await c.end();
    expect(flushed.lines.map((l) => [l.text, l.lineNumber])).toEqual([['<a+b>', 2]]);
  });

  it('positions an emitted event from its first to its last line', async () => {
    let first: Parameters<Exclude<Processor, Function>['process']>[1] | undefined;
    const joiner: Processor = {
      name: 'joiner',
      process: (t, ctx) => {
        if (!first) { first = ctx; return null; }
        return [{ text: 'joined', first, last: ctx }];
      },
    };
    const { c } = chain([joiner]);
    const input = lines(['head', 'tail']);
    const [event] = await run(c, input);
    expect(event).toMatchObject({ text: 'joined', offset: input[0]!.offset, end: input[1]!.end, lineNumber: 1 });
  });

  it('asks for an idle flush after idleFlushMs without input', async () => {
    const wake = vi.fn();
    const held: string[] = [];
    const { c } = chain([{ name: 'idle', idleFlushMs: 20, process: (t) => { held.push(t); return null; }, flush: () => held.splice(0) }], { wake });
    await run(c, lines(['x']));
    await vi.waitFor(() => expect(wake).toHaveBeenCalled(), { timeout: 1_000 });
    expect(c.idleDue).toBe(true);
    expect((await c.flushIdle()).lines.map((l) => l.text)).toEqual(['x']);
    expect(c.idleDue).toBe(false);
  });

  it('closes every processor once, reports each close that throws, rejects or hangs, and never rejects itself', async () => {
    const closed: string[] = [];
    const { c, reported } = chain([
      { name: 'a', process: () => undefined, close: () => { closed.push('a'); throw new Error('a'); } },
      { name: 'b', process: () => undefined, close: async () => { closed.push('b'); } },
      { name: 'c', process: () => undefined, close: () => { closed.push('c'); return Promise.reject(new Error('c')); } },
      { name: 'd', process: () => undefined, close: () => { closed.push('d'); return new Promise<void>(() => {}); } },
    ], { onError: 'skip' });
    await expect(c.close()).resolves.toBeUndefined();
    await c.close();
    expect(closed).toEqual(['a', 'b', 'c', 'd']);
    expect(reported.map((e) => [e.message, e.phase])).toEqual([
      ["processor 'a' failed to close: a", 'close'],
      ["processor 'c' failed to close: c", 'close'],
      ["processor 'd' failed to close: did not settle within 500 ms", 'close'],
    ]);
  });

  it('waits for the processors to close all at once: three that hang cost half a second together', async () => {
    const hang = (name: string) => ({ name, process: () => undefined, close: () => new Promise<void>(() => {}) });
    const { c, reported } = chain([hang('a'), hang('b'), hang('c')]);
    const started = Date.now();
    await c.close();
    // One after the other, they would take 1.5 s at least.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(reported.map((e) => e.message)).toEqual(['a', 'b', 'c'].map((n) => `processor '${n}' failed to close: did not settle within 500 ms`));
  });

  it('once interrupted, hands on only the lines every processor had finished, and says where it stopped; a flush cut short emits nothing', async () => {
    const seen: string[] = [];
    const { c, reported } = chain(
      [
        { name: 'async', process: (t) => (seen.push(t), t === 'hang' ? new Promise<string>(() => {}) : Promise.resolve(t.toUpperCase())) },
        { name: 'held', process: (t) => t + '!', flush: () => new Promise<string[]>(() => {}) },
      ],
      { timeoutMs: 60_000 },
    );
    const pending = c.run(lines(['a', 'b', 'hang', 'd']));
    await vi.waitFor(() => expect(seen).toContain('hang'), { timeout: 1_000 });
    c.interrupt();
    const out = await pending;
    expect(out.lines.map((l) => l.text)).toEqual(['A!', 'B!']);
    expect([c.stoppedAt?.lineNumber, c.stopped]).toEqual([3, undefined]);
    expect(seen).toEqual(['a', 'b', 'hang']);
    expect((await c.end()).lines).toEqual([]);
    expect(reported).toEqual([]);
  });

  it('once interrupted, waits for close() only briefly, also for a close already under way', async () => {
    const hanging = () => ({ name: 'h', process: () => undefined, close: () => new Promise<void>(() => {}) });
    const before = chain([hanging()]);
    before.c.interrupt();
    await before.c.close();
    const during = chain([hanging()]);
    const closing = during.c.close();
    during.c.interrupt();
    await closing;
    expect([...before.reported, ...during.reported].map((e) => e.message)).toEqual([
      "processor 'h' failed to close: did not settle within 350 ms",
      "processor 'h' failed to close: did not settle within 350 ms of the interruption",
    ]);
  });
});

describe('the error reporter', () => {
  it('writes the first failures in full, then only counts', () => {
    vi.useFakeTimers();
    try {
      const written: string[] = [];
      const reporter = new ErrorReporter((m) => written.push(m));
      const error = (n: number) => new ProcessorError({ processor: 'p', source: 'f', lineNumber: n, offset: 0, cause: new Error('x') });
      for (let i = 1; i <= 1000; i++) reporter.report(error(i));
      expect(written).toHaveLength(5);
      expect(written[4]).toContain('further errors are counted');
      vi.advanceTimersByTime(10_000);
      expect(written).toHaveLength(6);
      expect(written[5]).toBe("995 more processor errors (latest: processor 'p' failed on f:1000: x)");
      reporter.close();
      expect(written).toHaveLength(6);
    } finally {
      vi.useRealTimers();
    }
  });
});
