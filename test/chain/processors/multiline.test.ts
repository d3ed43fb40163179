import { describe, it, expect } from 'vitest';
import { multiline } from '../../../src/chain/processors/multiline.js';
import type { Emitted, LineContext, ProcessorObject, ProcessorOutput } from '../../../src/chain/types.js';
import { ctx, ctxs } from './ctx.js';

const START = /^\d{4}-\d\d-\d\d /;

/** What an emitted event says: its text, its source, and the line numbers it spans. */
function describeEvents(output: ReturnType<ProcessorObject['process']> | ReturnType<NonNullable<ProcessorObject['flush']>>): unknown {
  if (output === null || output === undefined) return output;
  return (output as ReadonlyArray<string | Emitted>).map((item) => {
    if (typeof item === 'string') throw new Error(`expected an Emitted item, got the string ${item}`);
    return { text: item.text, source: item.first.source, lines: [item.first.lineNumber, item.last?.lineNumber] };
  });
}

/** Feeds every context to `processor` and returns the non-null outputs in order. */
function feed(processor: ProcessorObject, contexts: LineContext[]): ProcessorOutput[] {
  return contexts.map((c) => processor.process(c.line.text, c) as ProcessorOutput).filter((out) => out !== null);
}

describe('multiline', () => {
  it('is named multiline and asks for an idle flush after idleMs (1000 by default)', () => {
    expect(multiline(START).name).toBe('multiline');
    expect(multiline(START).idleFlushMs).toBe(1000);
    expect(multiline(START, { idleMs: 250 }).idleFlushMs).toBe(250);
  });

  it('holds an event until the next start line, then emits it joined with newlines', () => {
    const m = multiline(START);
    const [a, b, c, d] = ctxs('app.log', ['2024-01-01 boom', 'Error: x', '    at f (a.js:1:1)', '2024-01-01 next']);
    expect(m.process(a!.line.text, a!)).toBeNull();
    expect(m.process(b!.line.text, b!)).toBeNull();
    expect(m.process(c!.line.text, c!)).toBeNull();
    expect(describeEvents(m.process(d!.line.text, d!))).toEqual([
      { text: '2024-01-01 boom\nError: x\n    at f (a.js:1:1)', source: 'app.log', lines: [1, 3] },
    ]);
  });

  it('positions an event from its first line to its last', () => {
    const m = multiline(START);
    const lines = ctxs('app.log', ['2024-01-01 a', ' more', '2024-01-02 b']);
    const [out] = feed(m, lines) as [Emitted[]];
    const [event] = out;
    expect(event!.first).toBe(lines[0]);
    expect(event!.last).toBe(lines[1]);
    expect(event!.first.offset).toBe(0);
    expect(event!.last!.end).toBe(lines[2]!.offset);
  });

  it('emits a single-line event with itself as first and last line', () => {
    const m = multiline(START);
    const lines = ctxs('app.log', ['2024-01-01 a', '2024-01-02 b']);
    const [out] = feed(m, lines) as [Emitted[]];
    expect(out).toEqual([{ text: '2024-01-01 a', first: lines[0], last: lines[0] }]);
  });

  it('joins the text it is given, not the line as it was read', () => {
    const m = multiline('^START');
    const c1 = ctx('raw one', 'app.log', 1, 0);
    const c2 = ctx('raw two', 'app.log', 2, 8);
    m.process('START changed', c1);
    m.process('  also changed', c2);
    expect(describeEvents(m.flush!('end') as Emitted[])).toEqual([{ text: 'START changed\n  also changed', source: 'app.log', lines: [1, 2] }]);
  });

  it('starts an event with a continuation line when its source has none pending', () => {
    const m = multiline(START);
    expect(feed(m, ctxs('app.log', ['    at f (a.js:1:1)', '    at g (a.js:2:1)']))).toEqual([]);
    expect(describeEvents(m.flush!('end') as Emitted[])).toEqual([
      { text: '    at f (a.js:1:1)\n    at g (a.js:2:1)', source: 'app.log', lines: [1, 2] },
    ]);
  });

  it('keeps a pending event per source, so interleaved files do not mix', () => {
    const m = multiline(START);
    const [a1, a2, a3] = ctxs('a.log', ['2024-01-01 A', '  a-cont', '2024-01-02 A2']);
    const [b1, b2, b3] = ctxs('b.log', ['2024-01-01 B', '  b-cont', '2024-01-02 B2']);
    const outputs = [a1, b1, a2, b2, b3, a3].map((c) => describeEvents(m.process(c!.line.text, c!)));
    expect(outputs).toEqual([
      null,
      null,
      null,
      null,
      [{ text: '2024-01-01 B\n  b-cont', source: 'b.log', lines: [1, 2] }],
      [{ text: '2024-01-01 A\n  a-cont', source: 'a.log', lines: [1, 2] }],
    ]);
  });

  it('flushes every pending event of every source, in the order their first lines arrived, and clears them', () => {
    const m = multiline(START);
    const [a1, a2, a3] = ctxs('a.log', ['2024-01-01 A1', '2024-01-01 A2', '  a2-cont']);
    const [b1, b2] = ctxs('b.log', ['2024-01-01 B1', '  b1-cont']);
    const [c1] = ctxs('c.log', ['2024-01-01 C1']);
    // b's event starts before a's second one, which replaced a's first.
    for (const c of [a1, b1, a2, c1, b2, a3]) m.process(c!.line.text, c!);
    expect(describeEvents(m.flush!('idle') as Emitted[])).toEqual([
      { text: '2024-01-01 B1\n  b1-cont', source: 'b.log', lines: [1, 2] },
      { text: '2024-01-01 A2\n  a2-cont', source: 'a.log', lines: [2, 3] },
      { text: '2024-01-01 C1', source: 'c.log', lines: [1, 1] },
    ]);
    expect(m.flush!('end')).toEqual([]);
  });

  it('starts afresh after a flush: the next continuation line begins a new event', () => {
    const m = multiline(START);
    const [a, b, c] = ctxs('app.log', ['2024-01-01 a', '  before idle', '  after idle']);
    m.process(a!.line.text, a!);
    m.process(b!.line.text, b!);
    expect(describeEvents(m.flush!('idle') as Emitted[])).toEqual([{ text: '2024-01-01 a\n  before idle', source: 'app.log', lines: [1, 2] }]);
    m.process(c!.line.text, c!);
    expect(describeEvents(m.flush!('end') as Emitted[])).toEqual([{ text: '  after idle', source: 'app.log', lines: [3, 3] }]);
  });

  it('flushes nothing when nothing is pending', () => {
    expect(multiline(START).flush!('end')).toEqual([]);
  });

  it('emits an event at once when it reaches maxLines', () => {
    const m = multiline(START, { maxLines: 3 });
    const lines = ctxs('app.log', ['2024-01-01 a', ' 1', ' 2', ' 3', ' 4', ' 5', ' 6']);
    expect(feed(m, lines).map(describeEvents)).toEqual([
      [{ text: '2024-01-01 a\n 1\n 2', source: 'app.log', lines: [1, 3] }],
      [{ text: ' 3\n 4\n 5', source: 'app.log', lines: [4, 6] }],
    ]);
    expect(describeEvents(m.flush!('end') as Emitted[])).toEqual([{ text: ' 6', source: 'app.log', lines: [7, 7] }]);
  });

  it('emits the previous event and the new one together when maxLines is 1', () => {
    const m = multiline(START, { maxLines: 1 });
    const lines = ctxs('app.log', ['2024-01-01 a', ' x']);
    expect(feed(m, lines).map(describeEvents)).toEqual([
      [{ text: '2024-01-01 a', source: 'app.log', lines: [1, 1] }],
      [{ text: ' x', source: 'app.log', lines: [2, 2] }],
    ]);
  });

  it('gives a start line with a pending event at maxLines - 1 its own new event', () => {
    const m = multiline(START, { maxLines: 2 });
    const lines = ctxs('app.log', ['2024-01-01 a', '2024-01-02 b', ' b1']);
    expect(feed(m, lines).map(describeEvents)).toEqual([
      [{ text: '2024-01-01 a', source: 'app.log', lines: [1, 1] }],
      [{ text: '2024-01-02 b\n b1', source: 'app.log', lines: [2, 3] }],
    ]);
  });

  it('accepts a string start pattern and a RegExp with the g flag without keeping state', () => {
    for (const start of ['^\\[', /^\[/g]) {
      const m = multiline(start);
      const out = feed(m, ctxs('app.log', ['[1] a', '[2] b', '[3] c', '[4] d']));
      expect(out.map(describeEvents).flat()).toEqual([
        { text: '[1] a', source: 'app.log', lines: [1, 1] },
        { text: '[2] b', source: 'app.log', lines: [2, 2] },
        { text: '[3] c', source: 'app.log', lines: [3, 3] },
      ]);
    }
  });

  it.each([
    [{ idleMs: 0 }, /idleMs must be a number > 0, not 0/],
    [{ idleMs: -5 }, /idleMs must be a number > 0, not -5/],
    [{ idleMs: Number.NaN }, /idleMs must be a number > 0, not NaN/],
    [{ maxLines: 0 }, /maxLines must be a whole number > 0, not 0/],
    [{ maxLines: 1.5 }, /maxLines must be a whole number > 0, not 1.5/],
  ])('rejects the option %o', (options, message) => {
    expect(() => multiline(START, options)).toThrow(expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: expect.stringMatching(message) }));
  });

  it('rejects an invalid start pattern naming --multiline-start', () => {
    expect(() => multiline('(')).toThrow(
      expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: expect.stringMatching(/^invalid regular expression for --multiline-start: '\(': /) }),
    );
  });
});
