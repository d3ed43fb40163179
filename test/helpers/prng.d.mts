/** Deterministic pseudo-random 32-bit unsigned numbers (mulberry32), so a corpus is the same on every run. */
export declare function prng(seed: number): () => number;
