import { optionError } from '../../errors.js';
import type { DroppingProcessor } from './rate-limit.js';

/**
 * A processor that keeps one line in `n` of each source and drops the others, deterministically: the
 * 1st, the (n+1)th, the (2n+1)th… line of each source (counted from the first line it sees). `dropped`
 * counts what it dropped. `n` is a whole number ≥ 1, or written `'1/N'` as `--sample` takes it.
 *
 * @example
 * ```ts
 * const tenth = sample('1/10');
 * for await (const line of tail('app.log', { processors: [tenth] })) console.log(line.text);
 * console.error(`${tenth.dropped} lines dropped`);
 * ```
 */
export function sample(n: number | string): DroppingProcessor {
  const every = typeof n === 'string' ? parseSample(n, 'sample()') : n;
  if (!Number.isSafeInteger(every) || every < 1) throw optionError(`sample(): n must be a whole number >= 1, not ${String(n)}`);
  const seen = new Map<string, number>();
  let dropped = 0;
  return {
    name: 'sample',
    get dropped() {
      return dropped;
    },
    process(_text, ctx) {
      const count = seen.get(ctx.source) ?? 0;
      seen.set(ctx.source, count + 1 === every ? 0 : count + 1);
      if (count === 0) return undefined;
      dropped++;
      return null;
    },
  };
}

/**
 * The `--sample` value: `1/N` (or `N`), N a whole number ≥ 1.
 * @internal
 */
export function parseSample(spec: string, what: string): number {
  const m = /^\s*(?:1\s*\/\s*)?(\d+)\s*$/.exec(spec);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(n) || n < 1) throw optionError(`${what}: invalid sample '${spec}' (give 1/N, N >= 1)`);
  return n;
}
