import { UsageError } from './usage-error.js';

/** A parsed `-n`/`-c` argument: `+K` counts from the start, `K` or `-K` from the end. @internal */
export interface Count {
  readonly fromStart: boolean;
  readonly count: number;
}

// GNU's multiplier suffixes (coreutils xstrtol): b=512, K/k/KiB=1024, KB/kB=1000, and so on up.
const POWERS = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y', 'R', 'Q'];
const MAX = 2n ** 64n - 1n;

/**
 * Parses a GNU tail count such as `10`, `+5`, `-3`, `1K`, `2MB`, `1GiB`. Throws a {@link UsageError} worded
 * like GNU's (`invalid number of lines: 'abc'`).
 * @internal
 */
export function parseCount(value: string, what: 'lines' | 'bytes'): Count {
  const invalid = (detail = '') => new UsageError(`invalid number of ${what}: '${value}'${detail}`);
  const match = /^\s*([+-]?)(\d+)([A-Za-z]*)$/.exec(value);
  if (!match) throw invalid();
  const [, sign, digits, suffix] = match as unknown as [string, string, string, string];
  const multiplier = suffixValue(suffix);
  if (multiplier === undefined) throw invalid();
  const total = BigInt(digits) * multiplier;
  if (total > MAX) throw invalid(': Value too large for defined data type');
  const count = total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total);
  return { fromStart: sign === '+', count };
}

function suffixValue(suffix: string): bigint | undefined {
  if (suffix === '') return 1n;
  if (suffix === 'b') return 512n;
  const power = POWERS.indexOf(suffix[0]!.toUpperCase());
  if (power === -1) return undefined;
  const exponent = BigInt(power + 1);
  const rest = suffix.slice(1);
  if (rest === '' || rest === 'iB') return 1024n ** exponent;
  if (rest === 'B') return 1000n ** exponent;
  return undefined;
}

/** Parses a whole number of seconds (fractions allowed) for `-s` and `--rotate-wait`. @internal */
export function parseSeconds(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`invalid number of seconds for ${flag}: '${value}'`);
  return n;
}
