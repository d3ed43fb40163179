import { describe, expect, it } from 'vitest';
import { Journal, JournalWriter } from '../../src/plugins/journal.js';
import type { WireOutcome } from '../../src/plugins/protocol.js';

describe("a plugin thread's journal of outcomes", () => {
  it('gives back every kind of outcome as it was written, in order, counting only those written', () => {
    const journal = Journal.create();
    const writer = new JournalWriter(journal.buffer);
    const outcomes: WireOutcome[] = [
      undefined,
      null,
      'NEW TEXT',
      '',
      'héllo wörld — 日本語 🎉',
      // A lone surrogate: no UTF-8 for it, yet it comes back as it was.
      'half \ud83d of a pair',
      ['one', { text: 'two', first: 3, last: 5 }, { text: 'elsewhere', first: -1, last: -1 }],
      { failure: 'returned an array holding null at index 0' },
    ];
    writer.begin(7);
    expect(journal.answered(7)).toBe(0);
    outcomes.slice(0, 3).forEach((o) => writer.record(o));
    expect(journal.outcomes(7)).toEqual(outcomes.slice(0, 3));
    outcomes.slice(3).forEach((o) => writer.record(o));
    expect(journal.outcomes(7)).toEqual(outcomes);
    // Another request's outcomes are not these.
    expect(journal.outcomes(8)).toEqual([]);
    expect(journal.took(8)).toBe(false);
    writer.begin(8);
    writer.record('next');
    expect(journal.outcomes(8)).toEqual(['next']);
    expect(journal.outcomes(7)).toEqual([]);
  });

  it('grows for outcomes larger than its room, and still gives back those written before', () => {
    const journal = Journal.create();
    const writer = new JournalWriter(journal.buffer);
    const before = journal.buffer.byteLength;
    const big = 'x'.repeat(3 * before);
    writer.begin(1);
    writer.record('small');
    writer.record(big);
    writer.record(null);
    expect(journal.buffer.byteLength).toBeGreaterThan(before);
    expect(journal.outcomes(1)).toEqual(['small', big, null]);
  });
});
