import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';

/**
 * A processor that drops lines and counts them: {@link rateLimit} and {@link sample}.
 *
 * @example
 * ```ts
 * import { tail, sample, type DroppingProcessor } from 'tail-async';
 *
 * const oneInTen: DroppingProcessor = sample('1/10');
 * for await (const line of tail('app.log', { follow: false, processors: [oneInTen] })) console.log(line.text);
 * console.error(`${oneInTen.dropped} lines dropped`);
 * ```
 */
export interface DroppingProcessor extends ProcessorObject {
  /** Lines dropped so far, over every source. */
  readonly dropped: number;
}

/**
 * Options of {@link rateLimit}.
 *
 * @example
 * ```ts
 * import { rateLimit, type RateLimitOptions } from 'tail-async';
 *
 * const quietly: RateLimitOptions = { onDropped: (source, count) => console.error(`${source}: ${count} over the limit`) };
 * const limit = rateLimit('100/s', quietly);
 * ```
 */
export interface RateLimitOptions {
  /** The clock, in ms; `Date.now` by default (tests give their own). */
  readonly now?: () => number;
  /**
   * Told how many lines of `source` were dropped: at most once a second per source while lines are being
   * dropped (the first time a second after the first drop), and once more for the last ones (after a
   * second without input, or at the end).
   * Default: `tail-async: N lines dropped from SOURCE` on stderr.
   */
  readonly onDropped?: (source: string, count: number) => void;
}

/**
 * One source's bucket: its tokens (in units of 1/perMs of a line, so that a clock in whole ms counts
 * exactly), when it was last filled, drops not yet told, when they were last told.
 */
interface Bucket {
  credit: number;
  filled: number;
  untold: number;
  told: number;
}

const REPORT_MS = 1000;

/**
 * A processor that lets through at most `lines` lines of each source per `perMs` milliseconds and drops
 * the rest: a token bucket per source that holds `lines` tokens and fills at `lines` per `perMs`, so that
 * a burst of `lines` passes at once and a steady flow passes at the limit. `dropped` counts what it
 * dropped; `onDropped` is told about it at most once a second per source while it lasts. The limit
 * is written `'100/s'`, `'6000/m'`, `'50'` (per second), or given as `{ lines, perMs }`.
 *
 * @example
 * ```ts
 * const limit = rateLimit('100/s', { onDropped: (source, n) => console.error(`${n} lines dropped from ${source}`) });
 * for await (const line of tail('app.log', { processors: [limit] })) console.log(line.text);
 * ```
 */
export function rateLimit(limit: string | { readonly lines: number; readonly perMs: number }, options: RateLimitOptions = {}): DroppingProcessor {
  const { lines, perMs } = typeof limit === 'string' ? parseRate(limit, 'rateLimit()') : checkRate(limit);
  const now = options.now ?? Date.now;
  const tell = options.onDropped ?? ((source, count) => process.stderr.write(`tail-async: ${droppedMessage(count, source)}\n`));
  const buckets = new Map<string, Bucket>();
  const full = lines * perMs;
  let dropped = 0;
  const report = (source: string, bucket: Bucket, t: number) => {
    if (bucket.untold === 0) return;
    const count = bucket.untold;
    bucket.untold = 0;
    bucket.told = t;
    tell(source, count);
  };
  const reportAll = () => {
    const t = now();
    for (const [source, bucket] of buckets) report(source, bucket, t);
  };
  return {
    name: 'rate-limit',
    idleFlushMs: REPORT_MS,
    get dropped() {
      return dropped;
    },
    process(_text, ctx) {
      const t = now();
      let bucket = buckets.get(ctx.source);
      if (!bucket) buckets.set(ctx.source, (bucket = { credit: full, filled: t, untold: 0, told: t }));
      bucket.credit = Math.min(full, bucket.credit + Math.max(t - bucket.filled, 0) * lines);
      bucket.filled = t;
      const keep = bucket.credit >= perMs;
      if (keep) bucket.credit -= perMs;
      else {
        dropped++;
        // A new run of drops: its first notice comes a second from now.
        if (bucket.untold++ === 0 && t - bucket.told >= REPORT_MS) bucket.told = t;
      }
      if (bucket.untold > 0 && t - bucket.told >= REPORT_MS) report(ctx.source, bucket, t);
      return keep ? undefined : null;
    },
    // It holds no line: its flush only tells the last drops, and checkpoints move past every line it saw.
    pending() {
      return undefined;
    },
    flush() {
      reportAll();
      return [];
    },
  };
}

/**
 * The `--rate-limit` value: `N`, `N/s` or `N/m` (N a whole number > 0).
 * @internal
 */
export function parseRate(spec: string, what: string): { lines: number; perMs: number } {
  const m = /^\s*(\d+)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/.exec(spec);
  const lines = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(lines) || lines <= 0) throw optionError(`${what}: invalid rate '${spec}' (give N, N/s or N/m, N > 0)`);
  return { lines, perMs: m[2]?.startsWith('m') ? 60_000 : 1000 };
}

function checkRate(limit: { readonly lines: number; readonly perMs: number }): { lines: number; perMs: number } {
  const { lines, perMs } = limit ?? {};
  if (!Number.isSafeInteger(lines) || lines <= 0 || !Number.isFinite(perMs) || perMs <= 0) throw optionError('rateLimit(): give { lines, perMs } with lines a whole number > 0 and perMs > 0');
  return { lines, perMs };
}

/** `N lines dropped from FILE`. @internal */
export function droppedMessage(count: number, source: string): string {
  return `${count} line${count === 1 ? '' : 's'} dropped from ${source}`;
}
