// Plain JavaScript so that the churn writer (a separate `node` process, test/model/churn/writer.mjs)
// and the TypeScript tests share one generator; the types are in prng.d.mts.

/** Deterministic pseudo-random 32-bit unsigned numbers (mulberry32), so a corpus is the same on every run. */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
