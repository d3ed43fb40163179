import { UsageError } from './usage-error.js';
import { MAX_TIMER_MS } from '../timer-delay.js';

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
 *
 * As in coreutils: only a first `+` means "from the start"; a first `-` is dropped (and left out of the
 * message); the rest is read like strtoumax reads it (blanks, then an optional `+`, then digits), and a
 * suffix without digits stands for one of it (`K` is 1024).
 * @internal
 */
export function parseCount(value: string, what: 'lines' | 'bytes'): Count {
  const fromStart = value.startsWith('+');
  const text = value.startsWith('-') ? value.slice(1) : value;
  const invalid = (detail = '') => new UsageError(`invalid number of ${what}: '${text}'${detail}`);
  const [, lead, digits, suffix] = /^([ \t\n\v\f\r]*\+?)(\d*)(.*)$/s.exec(text) as unknown as [string, string, string, string];
  if (digits === '' && (lead !== '' || suffix === '')) throw invalid();
  const multiplier = suffixValue(suffix);
  if (multiplier === undefined) throw invalid();
  const total = BigInt(digits || '1') * multiplier;
  if (total > MAX) throw invalid(': Value too large for defined data type');
  const count = total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total);
  return { fromStart, count };
}

function suffixValue(suffix: string): bigint | undefined {
  if (suffix === '') return 1n;
  if (suffix === 'b') return 512n;
  // Upper case only, but for k and m; then nothing, iB (powers of 1024), or B or D (powers of 1000).
  const first = suffix[0]!;
  const power = POWERS.indexOf(first === 'k' || first === 'm' ? first.toUpperCase() : first);
  if (power === -1) return undefined;
  const exponent = BigInt(power + 1);
  const rest = suffix.slice(1);
  if (rest === '' || rest === 'iB') return 1024n ** exponent;
  if (rest === 'B' || rest === 'D') return 1000n ** exponent;
  return undefined;
}

/**
 * Parses a number of seconds (fractions allowed) for `-s`, `--rotate-wait` and the like, as GNU tail reads
 * `-s`: C's `strtod` over the whole text (`.1`, `1e-1`, `0x1p-3`, `inf`), at least 0, and not so large
 * that it overflows.
 * @internal
 */
export function parseSeconds(value: string, flag: string): number {
  const n = strtod(value);
  if (n === undefined || !(n >= 0)) throw new UsageError(`invalid number of seconds for ${flag}: '${value}'`);
  return n;
}

const DECIMAL = /^[ \t\n\v\f\r]*([+-]?)(?:(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?)$/;
const HEX = /^[ \t\n\v\f\r]*([+-]?)0[xX]([\da-fA-F]+\.?[\da-fA-F]*|\.[\da-fA-F]+)(?:[pP]([+-]?\d+))?$/;
const SPECIAL = /^[ \t\n\v\f\r]*([+-]?)(inf|infinity|nan(?:\([\da-zA-Z_]*\))?)$/i;

/**
 * The value of `text` read by C's `strtod` in the C locale, when all of it is a number: undefined for
 * anything else, and for a finite number too large for a double (strtod's ERANGE).
 * @internal
 * @example
 * ```ts
 * strtod('.1');     // 0.1
 * strtod('0x1p-3'); // 0.125
 * strtod('1 ');     // undefined: trailing characters
 * ```
 */
export function strtod(text: string): number | undefined {
  let m = DECIMAL.exec(text);
  if (m) {
    const n = Number(`${m[1]}${m[2]}e${m[3] ?? '0'}`);
    return Number.isFinite(n) ? n : undefined;
  }
  m = HEX.exec(text);
  if (m) {
    const [whole = '', fraction = ''] = m[2]!.split('.');
    const mantissa = Number.parseInt(whole + fraction || '0', 16) / 16 ** fraction.length;
    const n = (m[1] === '-' ? -1 : 1) * mantissa * 2 ** Number(m[3] ?? '0');
    return Number.isFinite(n) ? n : undefined;
  }
  m = SPECIAL.exec(text);
  if (m) return m[2]!.toLowerCase().startsWith('nan') ? NaN : m[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

/**
 * Seconds given on the command line as milliseconds for a timer: rounded, at least `min`, and at most
 * 2³¹−1 ms (about 24.8 days; Node's timers cannot wait longer, and a longer wait means "practically never").
 * @internal
 * @example
 * ```ts
 * secondsToMs(0.25, 1);      // 250
 * secondsToMs(2_200_000, 1); // 2147483647
 * ```
 */
export function secondsToMs(seconds: number, min: number): number {
  return Math.min(Math.max(Math.round(seconds * 1000), min), MAX_TIMER_MS);
}
