import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatId, IdText } from '../../src/sinks/redis-ids.js';

describe('IdText', () => {
  it('writes every ID as formatId does, whatever its seq (below 1 000, past 2^31, a BigInt) and ms', () => {
    const text = new IdText();
    const seq = fc.oneof(fc.nat(2_000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }));
    fc.assert(
      fc.property(fc.array(fc.record({ ms: fc.constantFrom(1, 1732800000123, 1732800000124), seq }), { minLength: 1, maxLength: 20 }), (ids) => {
        for (const id of ids) expect(text.of(id)).toBe(formatId(id));
      }),
    );
    expect(text.of({ ms: 1732800000123, seq: 5_000_007 })).toBe('1732800000123-5000007');
  });
});
