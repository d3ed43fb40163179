import type { Flag } from './flags.js';
import { UsageError } from './usage-error.js';

/** One option as given on the command line, in order. @internal */
export interface OptionToken {
  readonly kind: 'option';
  readonly flag: Flag;
  /** Its value: given (`-n5`, `--lines=5`, `--lines 5`), or the flag's `optionalValue` when it has none. */
  readonly value: string | undefined;
  /** The value is the flag's `optionalValue`: none was written. */
  readonly implied?: true;
}

/** One operand (a file or pattern), in order. @internal */
export interface OperandToken {
  readonly kind: 'operand';
  readonly value: string;
}

/** The command line read once, in order: every "last one wins" is decided from it. @internal */
export type Token = OptionToken | OperandToken;

/** How {@link tokenize} reads a command line. @internal */
export interface GetoptMode {
  /** Stop at the first operand, as glibc's getopt does when POSIXLY_CORRECT is set. */
  readonly stopAtOperand: boolean;
  /** An argument read already (GNU's obsolete `-5`, `+2c`): these tokens stand in its place. */
  readonly replace?: { readonly index: number; readonly tokens: readonly Token[] };
}

/**
 * Reads `argv` as glibc's `getopt_long` does for GNU tail: options and operands in any order (operands
 * only, after `--`, or after the first operand with {@link GetoptMode.stopAtOperand}); short options in
 * clusters (`-qzn5`), a short option's value glued or in the next argument; long options by their name or
 * any unambiguous prefix of it (`--li 5`), a value after `=` or in the next argument (after `=` only for
 * a flag with an `optionalValue`). A digit as an option is GNU's "option used in invalid context". Throws
 * a {@link UsageError} in glibc's words.
 * @internal
 * @example
 * ```ts
 * tokenize(['-qn', '5', 'app.log', '--foll'], FLAGS, { stopAtOperand: false });
 * // [{ kind: 'option', flag: quiet }, { kind: 'option', flag: lines, value: '5' },
 * //  { kind: 'operand', value: 'app.log' }, { kind: 'option', flag: follow, value: 'name' }]
 * ```
 */
export function tokenize(argv: readonly string[], flags: readonly Flag[], mode: GetoptMode): Token[] {
  const tokens: Token[] = [];
  let operandsOnly = false;
  for (let i = 0; i < argv.length; i++) {
    if (i === mode.replace?.index) {
      tokens.push(...mode.replace.tokens);
      continue;
    }
    const arg = argv[i]!;
    if (operandsOnly || arg === '-' || !arg.startsWith('-')) {
      tokens.push({ kind: 'operand', value: arg });
      if (mode.stopAtOperand) operandsOnly = true;
      continue;
    }
    if (arg === '--') {
      operandsOnly = true;
      continue;
    }
    const next = () => (i + 1 < argv.length && i + 1 !== mode.replace?.index ? argv[++i] : undefined);
    if (arg.startsWith('--')) tokens.push(longOption(arg, flags, next));
    else tokens.push(...shortOptions(arg, flags, next));
  }
  return tokens;
}

/** The long names of a flag (`--quiet`, `--silent`). */
export function longNames(flag: Flag): string[] {
  return [flag.name, ...aliases(flag)].filter((name) => name.length > 1);
}

/** The one-letter names of a flag (`-q`). */
export function shortNames(flag: Flag): string[] {
  return [flag.name, ...aliases(flag)].filter((name) => name.length === 1);
}

function aliases(flag: Flag): readonly string[] {
  return flag.alias === undefined ? [] : typeof flag.alias === 'string' ? [flag.alias] : flag.alias;
}

function longOption(arg: string, flags: readonly Flag[], next: () => string | undefined): OptionToken {
  const eq = arg.indexOf('=');
  const written = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
  const flag = findLong(written, arg, flags);
  const name = longNames(flag).find((n) => n === written) ?? longNames(flag).find((n) => n.startsWith(written))!;
  if (flag.type === 'boolean') {
    if (eq !== -1) throw new UsageError(`option '--${name}' doesn't allow an argument`);
    return { kind: 'option', flag, value: undefined };
  }
  if (eq !== -1) return { kind: 'option', flag, value: arg.slice(eq + 1) };
  if (flag.optionalValue !== undefined) return { kind: 'option', flag, value: flag.optionalValue, implied: true };
  const value = next();
  if (value === undefined) throw new UsageError(`option '--${name}' requires an argument`);
  return { kind: 'option', flag, value };
}

/** GNU tail 9.1's long options (`tail --help`), whose abbreviations keep their GNU meaning. */
const GNU_LONG = new Set(['bytes', 'follow', 'lines', 'max-unchanged-stats', 'pid', 'quiet', 'silent', 'retry', 'sleep-interval', 'verbose', 'zero-terminated', 'help', 'version']);

/** The flag a long name (or a prefix of one) stands for: an exact name wins, else a prefix of one flag's names only. */
function findLong(written: string, arg: string, flags: readonly Flag[]): Flag {
  const exact = flags.find((f) => longNames(f).includes(written));
  if (exact) return exact;
  const candidates = written === '' ? [] : flags.filter((f) => longNames(f).some((n) => n.startsWith(written)));
  if (candidates.length === 1) return candidates[0]!;
  // An abbreviation GNU tail takes means what it means there, whatever tail-async's own options add.
  const gnu = candidates.filter((f) => longNames(f).some((n) => n.startsWith(written) && GNU_LONG.has(n)));
  if (gnu.length === 1) return gnu[0]!;
  if (candidates.length === 0) throw new UsageError(`unrecognized option '${arg}'`);
  const possibilities = candidates.flatMap((f) => longNames(f).filter((n) => n.startsWith(written))).map((n) => `'--${n}'`);
  throw new UsageError(`option '--${written}' is ambiguous; possibilities: ${possibilities.join(' ')}`);
}

function shortOptions(arg: string, flags: readonly Flag[], next: () => string | undefined): OptionToken[] {
  const out: OptionToken[] = [];
  for (let j = 1; j < arg.length; j++) {
    const letter = arg[j]!;
    // GNU tail lists the digits among its options, for the obsolete -NUM, and rejects them anywhere else.
    if (letter >= '0' && letter <= '9') throw new UsageError(`option used in invalid context -- ${letter}`);
    const flag = flags.find((f) => shortNames(f).includes(letter));
    if (!flag) throw new UsageError(`invalid option -- '${letter}'`);
    if (flag.type === 'boolean') {
      out.push({ kind: 'option', flag, value: undefined });
      continue;
    }
    const value = j + 1 < arg.length ? arg.slice(j + 1) : next();
    if (value === undefined) throw new UsageError(`option requires an argument -- '${letter}'`);
    out.push({ kind: 'option', flag, value });
    break;
  }
  return out;
}
