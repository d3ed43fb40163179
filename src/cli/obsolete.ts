import { UsageError } from './usage-error.js';

/** GNU tail's obsolete first option (`-5`, `+2c`, `-3lf`, `-b`), read. @internal */
export interface ObsoleteOption {
  readonly fromStart: boolean;
  readonly unit: 'lines' | 'bytes';
  /** How many lines or bytes (clamped to the largest safe integer). */
  readonly count: number;
  /** A trailing `f`: follow (by descriptor, as `-f`). */
  readonly follow: boolean;
}

const UINTMAX = 2n ** 64n - 1n;

/**
 * The POSIX version GNU tools conform to: `_POSIX2_VERSION` when it is a whole number, else 200809
 * (POSIX.1-2008, what coreutils is built for on glibc). `POSIXLY_CORRECT` does not change it.
 * @internal
 */
export function posix2Version(env: Readonly<Record<string, string | undefined>>): number {
  const value = env._POSIX2_VERSION;
  return value && /^[ \t\n\v\f\r]*[+-]?\d+$/.test(value) ? Number.parseInt(value, 10) : 200809;
}

/**
 * GNU tail's `parse_obsolete_option` (coreutils tail.c): `arg`, the first of the options GNU knows, in the
 * obsolete form `[-+][NUM][bcl][f]`, when `rest` (the arguments GNU knows after it) leaves room for that
 * form: at most one file, or `--` and at most one file. `+…` is an option only for POSIX versions before
 * 2001 or from 2008 on, and `-NUM…` also after 2001 except `-` alone and `-c` (which takes a value), as in
 * GNU. Undefined when `arg` is not such an option; a number of 2⁶⁴ or more is refused in GNU's words.
 * @internal
 * @example
 * ```ts
 * parseObsolete('-5', ['app.log'], 200809);  // { fromStart: false, unit: 'lines', count: 5, follow: false }
 * parseObsolete('+2c', [], 200809);          // { fromStart: true, unit: 'bytes', count: 2, follow: false }
 * parseObsolete('-5', ['a', 'b'], 200809);   // undefined: two files
 * ```
 */
export function parseObsolete(arg: string, rest: readonly string[], posixVersion: number): ObsoleteOption | undefined {
  const room = rest.length === 0 || (rest.length === 1 && !(rest[0]!.startsWith('-') && rest[0]!.length > 1)) || (rest.length <= 2 && rest[0] === '--');
  if (!room) return undefined;
  const obsoleteUsage = posixVersion < 200112;
  const traditionalUsage = obsoleteUsage || posixVersion >= 200809;
  const sign = arg[0];
  const body = arg.slice(1);
  if (sign === '+') {
    if (!traditionalUsage) return undefined;
  } else if (sign === '-') {
    if (!obsoleteUsage && (body === '' || body === 'c')) return undefined;
  } else {
    return undefined;
  }
  const match = /^(\d*)([bcl]?)(f?)$/.exec(body);
  if (!match) return undefined;
  const [, digits, unit, follow] = match as unknown as [string, string, string, string];
  let count = 10n * (unit === 'b' ? 512n : 1n);
  if (digits !== '') {
    // xstrtoumax with the suffix "b" (a 512-byte block) only.
    count = BigInt(digits) * (unit === 'b' ? 512n : 1n);
    if (count > UINTMAX) throw new UsageError(`invalid number: '${arg}': Numerical result out of range`);
  }
  return {
    fromStart: sign === '+',
    unit: unit === 'b' || unit === 'c' ? 'bytes' : 'lines',
    count: count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count),
    follow: follow === 'f',
  };
}
