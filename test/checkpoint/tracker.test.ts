import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ledger } from '../../src/checkpoint/ledger.js';
import { plainPlacement } from '../../src/checkpoint/placement.js';
import { DeliveryTracker } from '../../src/checkpoint/tracker.js';
import type { Line } from '../../src/lines/line.js';
import type { Origin } from '../../src/sources/resume.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A ledger double that keeps what is recorded and counts saves. */
function ledger() {
  return {
    saves: 0,
    records: [] as Array<[string, number]>,
    onRecord: undefined as (() => void) | undefined,
    record(origin: Origin, point: { offset: number }) {
      this.records.push([origin.source, point.offset]);
      this.onRecord?.();
    },
    async save() {
      this.saves++;
    },
  };
}

function tracker(double: ReturnType<typeof ledger>) {
  return new DeliveryTracker(double as unknown as Ledger, (error) => {
    throw error;
  });
}

const origin = (source: string) => ({ source, dev: 1, ino: 1, use: async () => undefined }) as unknown as Origin;
const line = (source: string, end: number): Line => ({ text: '', source, offset: end - 1, end, lineNumber: end, eol: '\n' });

describe('DeliveryTracker', () => {
  it('saves at once, then at most once a second however often lines are delivered, and at close', async () => {
    vi.useFakeTimers();
    const double = ledger();
    const t = tracker(double);
    const a = origin('a');
    const deliver = (n: number) => {
      const batch = [line('a', n)];
      t.handOut(batch, plainPlacement(batch, a));
      t.commitAll();
    };
    deliver(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(double.saves).toBe(1);
    for (let ms = 0; ms < 2_500; ms += 10) {
      deliver(ms + 2);
      await vi.advanceTimersByTimeAsync(10);
    }
    // 2.5 s of deliveries every 10 ms: the first save, then one a second.
    expect(double.saves).toBe(3);
    await t.close();
    expect(double.saves).toBe(4);
  });

  it('advances each source over its delivered prefix, in hand-out order', () => {
    const double = ledger();
    const t = tracker(double);
    const [a, b] = [origin('a'), origin('b')];
    const batches = [[line('a', 1), line('a', 2)], [line('b', 5)], [line('a', 3)]];
    batches.forEach((batch, i) => t.handOut(batch, plainPlacement(batch, i === 1 ? b : a), true));
    t.commit(batches[2]!);
    t.commit(batches[0]![1]!);
    expect(double.records).toEqual([]);
    t.commit(batches[1]!);
    expect(double.records).toEqual([['b', 5]]);
    t.commit(batches[0]![0]!);
    expect(double.records).toEqual([['b', 5], ['a', 2], ['a', 3]]);
  });

  it('takes parts of batches (as pipeTo sends them) in any order, and advances over the contiguous prefix', () => {
    const double = ledger();
    const t = tracker(double);
    const a = origin('a');
    const [first, second] = [0, 6].map((from) => Array.from({ length: 6 }, (_, i) => line('a', from + i + 1)));
    for (const batch of [first!, second!]) t.handOut(batch, plainPlacement(batch, a), true);
    t.commit(second!.slice(0, 3));
    t.commit(first!.slice(3));
    expect(double.records).toEqual([]);
    t.commit(first!.slice(0, 3));
    expect(double.records.at(-1)).toEqual(['a', 9]);
    t.commit(second!.slice(3));
    expect(double.records.at(-1)).toEqual(['a', 12]);
  });

  it('takes ranges of batches as handed out (commitRange), in any order, and advances over the contiguous prefix', () => {
    const double = ledger();
    const t = tracker(double);
    const a = origin('a');
    const [first, second] = [0, 6].map((from) => Array.from({ length: 6 }, (_, i) => line('a', from + i + 1)));
    for (const batch of [first!, second!]) t.handOut(batch, plainPlacement(batch, a), true);
    t.commitRange(second!, 0, 3);
    t.commitRange(first!, 3, 6);
    expect(double.records).toEqual([]);
    t.commitRange(first!, 0, 3);
    expect(double.records.at(-1)).toEqual(['a', 9]);
    t.commitRange(second!, 3, 6);
    expect(double.records.at(-1)).toEqual(['a', 12]);
    // A batch never handed out, and a range committed again, change nothing.
    t.commitRange([line('a', 20)], 0, 1);
    t.commitRange(second!, 0, 6);
    expect(double.records.at(-1)).toEqual(['a', 12]);
  });
});
