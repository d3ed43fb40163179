import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rateLimit, sample, tail } from '../../../src/index.js';
import { tempDir } from '../../helpers/fs.js';
import { ctx } from './ctx.js';
import type { ProcessorObject } from '../../../src/chain/types.js';

/** Feeds `count` lines of `source` at `at(i)` ms; returns how many were kept. */
function feed(p: ProcessorObject, clock: { t: number }, count: number, at: (i: number) => number, source = 'a.log'): number {
  let kept = 0;
  for (let i = 0; i < count; i++) {
    clock.t = at(i);
    if (p.process(`line ${i}`, ctx(`line ${i}`, source)) === undefined) kept++;
  }
  return kept;
}

describe('rateLimit()', () => {
  it('lets a burst of N through, then N a second, and counts exactly what it dropped', () => {
    const clock = { t: 0 };
    const told: Array<[string, number, number]> = [];
    const limit = rateLimit('10/s', { now: () => clock.t, onDropped: (source, n) => told.push([source, n, clock.t]) });
    // 1 000 lines a second for 3 s: 10 at once, then one every 100 ms.
    const kept = feed(limit, clock, 3000, (i) => i);
    expect(kept).toBe(10 + 29);
    expect(limit.dropped).toBe(3000 - 39);
    // Told at most once a second while it lasts, and every drop told once.
    expect(told.map(([, , t]) => t)).toEqual([1000, 2000]);
    limit.flush!('idle');
    expect(told.reduce((sum, [, n]) => sum + n, 0)).toBe(limit.dropped);
    expect(told.every(([source]) => source === 'a.log')).toBe(true);
  });

  it('limits each source on its own', () => {
    const clock = { t: 0 };
    const limit = rateLimit({ lines: 3, perMs: 1000 }, { now: () => clock.t, onDropped: () => {} });
    expect(feed(limit, clock, 10, () => 0, 'a.log')).toBe(3);
    expect(feed(limit, clock, 10, () => 0, 'b.log')).toBe(3);
    expect(limit.dropped).toBe(14);
  });

  it('takes N/m as per minute, and passes a flow under the limit whole', () => {
    const clock = { t: 0 };
    const told: number[] = [];
    const limit = rateLimit('60/m', { now: () => clock.t, onDropped: (_s, n) => told.push(n) });
    expect(feed(limit, clock, 600, (i) => i * 1000)).toBe(600);
    expect(limit.dropped).toBe(0);
    limit.flush!('end');
    expect(told).toEqual([]);
  });

  it('tells the last drops at the end', () => {
    const clock = { t: 0 };
    const told: number[] = [];
    const limit = rateLimit('1', { now: () => clock.t, onDropped: (_s, n) => told.push(n) });
    feed(limit, clock, 5, () => 0);
    expect(told).toEqual([]);
    limit.flush!('end');
    expect(told).toEqual([4]);
  });

  it.each(['0/s', 'x', '10/h', '-1', '1.5/s'])('refuses %j', (spec) => {
    expect(() => rateLimit(spec)).toThrow(`invalid rate '${spec}'`);
  });
});

describe('sample()', () => {
  it('keeps the 1st, N+1th… line of each source and counts the rest', () => {
    const s = sample('1/4');
    const kept = Array.from({ length: 10 }, (_, i) => s.process(`l${i}`, ctx(`l${i}`)) === undefined);
    expect(kept.map((k, i) => (k ? i : -1)).filter((i) => i >= 0)).toEqual([0, 4, 8]);
    expect(s.process('b0', ctx('b0', 'b.log'))).toBeUndefined();
    expect(s.dropped).toBe(7);
  });

  it('keeps everything with 1/1', () => {
    const s = sample(1);
    expect([1, 2, 3].map((i) => s.process(`${i}`, ctx(`${i}`)))).toEqual([undefined, undefined, undefined]);
  });

  it.each(['0', '2/3', 'x', '1/0'])('refuses %j', (spec) => {
    expect(() => sample(spec)).toThrow(`invalid sample '${spec}'`);
  });
});

describe('rateLimit() and sample() with a checkpoint', () => {
  it.each([
    ['rateLimit', () => rateLimit('2/m', { onDropped: () => {} })],
    ['sample', () => sample('1/3')],
  ])('%s: the state file moves past the lines dropped', async (_name, make) => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const state = path.join(dir, 'tail.state');
    const content = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join('');
    await writeFile(file, content);
    const out: string[] = [];
    for await (const line of tail(file, { follow: false, start: { fromLine: 1 }, checkpoint: state, processors: [make()] })) out.push(line.text);
    expect(out.length).toBeLessThan(10);
    const { entries } = JSON.parse(await readFile(state, 'utf8')) as { entries: Array<{ offset: number }> };
    expect(entries.map((e) => e.offset)).toEqual([content.length]);
  });
});
