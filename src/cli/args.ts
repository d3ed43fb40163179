import { FLAGS, type Flag } from './flags.js';
import { tokenize, type OptionToken, type Token } from './getopt.js';
import { parseObsolete, posix2Version } from './obsolete.js';
import type { FollowMode, StartPosition } from '../options.js';
import { parseCount, parseSeconds } from './numbers.js';
import { UsageError } from './usage-error.js';
import { parseFields } from '../chain/processors/json.js';
import { parseWhere, type WhereCondition } from '../chain/processors/where.js';
import { parseRate } from '../chain/processors/rate-limit.js';
import { parseSample } from '../chain/processors/sample.js';
import { parseRecordParser, timeArgs, type RecordParser } from './record-args.js';
import { parseServeAddress, type ServeAddress } from '../serve/address.js';

/** What the command line asks for. @internal */
export interface CliOptions {
  /** Files and patterns as given; empty means standard input. */
  readonly files: readonly string[];
  /** The start given with -n or -c; undefined: the default (last 10 lines; all of stdin). */
  readonly start: StartPosition | undefined;
  readonly follow: FollowMode;
  /** --retry (or -F): with --follow=descriptor, a file missing at the start is waited for. */
  readonly retry: boolean;
  readonly headers: 'auto' | 'always' | 'never';
  readonly zero: boolean;
  readonly pid: number | undefined;
  readonly poll: boolean;
  /** Seconds between polls (-s). */
  readonly sleepInterval: number | undefined;
  /** Seconds a rotated file keeps being read after its last growth. */
  readonly rotateWait: number | undefined;
  readonly maxOpenFiles: number | undefined;
  readonly prefix: boolean;
  readonly output: 'raw' | 'jsonl';
  readonly maxLineBytes: number | undefined;
  /** The checkpoint file (--state-file). */
  readonly stateFile: string | undefined;
  /** Read each file's rotated history first (--backfill). */
  readonly backfill: boolean;
  /** Where lines are shipped instead of printed (--sink URL). */
  readonly sink: string | undefined;
  /** --since and --until, in ms since the epoch, and --time-field. */
  readonly since: number | undefined;
  readonly until: number | undefined;
  readonly timeField: string | undefined;
  /** With --serve: where the live page is served (instead of printing), its token and how many lines it keeps. */
  readonly serve: ServeCliOptions | undefined;
  /** The processing steps, in command-line order. */
  readonly steps: readonly Step[];
  readonly ignoreCase: boolean;
  readonly color: 'auto' | 'always' | 'never';
  readonly onError: 'log' | 'pass' | 'skip' | 'stop';
  /** Where plugins run: a worker thread each (default), or the main thread. */
  readonly pluginIsolation: 'worker' | 'none';
  /** Seconds. */
  readonly processorTimeout: number | undefined;
  /** Seconds. */
  readonly multilineTimeout: number | undefined;
  readonly help: boolean;
  readonly version: boolean;
  /** GNU's warnings about options that do nothing as combined (`--retry` without follow…), to print. */
  readonly warnings: readonly string[];
}

/** --serve, --serve-token and --serve-lines. @internal */
export interface ServeCliOptions extends ServeAddress {
  readonly token: string | undefined;
  readonly lines: number | undefined;
}

/** One processing step asked for on the command line. @internal */
export type Step =
  | { readonly kind: 'grep' | 'exclude'; readonly patterns: string[] }
  | { readonly kind: 'multiline'; readonly start: string }
  | { readonly kind: 'json'; readonly where: WhereCondition[]; fields: string[] | undefined; parser: RecordParser; format: string | undefined }
  | { readonly kind: 'rate-limit'; readonly lines: number; readonly perMs: number }
  | { readonly kind: 'sample'; readonly every: number }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'plugin'; readonly spec: string };

/** The options GNU tail knows: only they count for the obsolete form's "one option and at most one file". */
const GNU_OPTIONS = new Set(['lines', 'bytes', 'follow', 'F', 'f', 'retry', 'pid', 'sleep-interval', 'quiet', 'verbose', 'zero-terminated', 'max-unchanged-stats', '-disable-inotify', 'help', 'version']);

/** What the environment changes in how a command line is read (GNU's rules). @internal */
export type ParseEnv = Readonly<Record<string, string | undefined>>;

/**
 * The command line read once, in order: GNU's obsolete first option (`-5`, `+2c`, `-3lf`, see
 * {@link parseObsolete}) turned into the `-n`/`-c` (and `-f`) it stands for, then every option and operand
 * as glibc's getopt reads them ({@link tokenize}). Options of tail-async's own are invisible to the
 * obsolete form's rule, so that it accepts exactly what GNU accepts on GNU's options.
 * @internal
 */
export function readCommandLine(argv: readonly string[], env: ParseEnv = {}): Token[] {
  const stopAtOperand = env.POSIXLY_CORRECT !== undefined;
  const visible = gnuVisible(argv);
  const first = visible[0];
  const obsolete = first === undefined ? undefined : parseObsolete(argv[first]!, visible.slice(1).map((i) => argv[i]!), posix2Version(env));
  if (!obsolete || first === undefined) return tokenize(argv, FLAGS, { stopAtOperand });
  const flag = (name: string) => FLAGS.find((f) => f.name === name)!;
  const tokens: Token[] = [{ kind: 'option', flag: flag(obsolete.unit), value: `${obsolete.fromStart ? '+' : ''}${obsolete.count}` }];
  if (obsolete.follow) tokens.push({ kind: 'option', flag: flag('f'), value: undefined });
  return tokenize(argv, FLAGS, { stopAtOperand, replace: { index: first, tokens } });
}

/**
 * Indexes of the arguments GNU tail would see: all but options of tail-async's own (and their values),
 * up to `--`. An argument that is no known option counts as seen (getopt then says what is wrong with it).
 */
function gnuVisible(argv: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return [...out, ...Array.from({ length: argv.length - i }, (_, k) => i + k)];
    const own = ownOption(argv, i);
    if (own === 0) out.push(i);
    else i += own - 1;
  }
  return out;
}

/** How many arguments from `argv[i]` make one option of tail-async's own (its value included): 0 for anything else. */
function ownOption(argv: readonly string[], i: number): number {
  const arg = argv[i]!;
  if (!arg.startsWith('-') || arg === '-') return 0;
  const own = (args: readonly string[]) => {
    let tokens: Token[];
    try {
      tokens = tokenize(args, FLAGS, { stopAtOperand: false });
    } catch {
      return false;
    }
    return tokens.length > 0 && tokens.every((t) => t.kind === 'option' && !GNU_OPTIONS.has(t.flag.name));
  };
  if (own([arg])) return 1;
  return i + 1 < argv.length && own([arg, argv[i + 1]!]) ? 2 : 0;
}

/** Parses the command line. Throws {@link UsageError} for anything malformed. @internal */
export function parseArgs(argv: readonly string[], env: ParseEnv = {}): CliOptions {
  const tokens = readCommandLine(argv, env);
  const options = tokens.filter((t): t is OptionToken => t.kind === 'option');
  for (const t of options) if (t.flag.choices && t.value !== undefined) choice(t.flag, t.value);
  const named = (name: string) => options.filter((t) => t.flag.name === name);
  const str = (name: string) => {
    const t = named(name).at(-1);
    return t?.value === undefined ? undefined : t.flag.choices ? choice(t.flag, t.value) : t.value;
  };
  const has = (name: string) => named(name).length > 0;
  const files = tokens.filter((t) => t.kind === 'operand').map((t) => t.value);
  for (const t of named('max-unchanged-stats')) unchangedStats(t.value!);
  for (const t of named('sleep-interval')) parseSeconds(t.value!, '--sleep-interval');

  const follow = followMode(options);
  // GNU's rule: following by name needs a name. (Not for the default, which passes standard input through.)
  if (follow === 'name' && followAsked(options) && (files.length === 0 || files.includes('-'))) throw new UsageError("cannot follow '-' by name");
  return {
    files,
    start: startFrom(options),
    follow,
    retry: has('retry') || has('F'),
    headers: lastOf(options, { quiet: 'never', verbose: 'always' }) ?? 'auto',
    zero: has('zero-terminated'),
    pid: optional(str('pid'), (v) => {
      const pid = Number(v);
      if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`invalid PID: '${v}'`);
      return pid;
    }),
    poll: has('poll') || has('-disable-inotify'),
    sleepInterval: optional(str('sleep-interval'), (v) => parseSeconds(v, '--sleep-interval')),
    rotateWait: optional(str('rotate-wait'), (v) => parseSeconds(v, '--rotate-wait')),
    maxOpenFiles: optional(str('max-open-files'), (v) => positiveWhole(v, '--max-open-files')),
    prefix: has('prefix'),
    output: str('output') === 'jsonl' ? 'jsonl' : 'raw',
    maxLineBytes: optional(str('max-line-bytes'), (v) => {
      const invalid = () => new UsageError(`invalid --max-line-bytes: '${v}'`);
      // A size, not a -n count: no sign (parseCount would drop a '-' and read -1 as 1).
      if (/^\s*[+-]/.test(v)) throw invalid();
      const { count } = refusing(() => parseCount(v, 'bytes'), invalid);
      if (count === 0) throw invalid();
      return count;
    }),
    stateFile: str('state-file'),
    backfill: has('backfill'),
    sink: str('sink'),
    ...timeArgs(str, has('lines') || has('bytes')),
    serve: serveOptions(str('serve'), str('serve-token'), str('serve-lines')),
    steps: steps(options),
    ignoreCase: has('ignore-case'),
    color: (str('color') ?? 'auto') as CliOptions['color'],
    onError: (str('on-error') ?? 'log') as CliOptions['onError'],
    pluginIsolation: (str('plugin-isolation') ?? 'worker') as CliOptions['pluginIsolation'],
    processorTimeout: optional(str('processor-timeout'), (v) => positiveSeconds(v, '--processor-timeout')),
    multilineTimeout: optional(str('multiline-timeout'), (v) => positiveSeconds(v, '--multiline-timeout')),
    help: has('help'),
    version: has('version'),
    warnings: warnings(follow, has('retry'), has('retry') || has('F'), has('pid')),
  };
}

/** --serve [HOST:]PORT, with its token and line count (which mean nothing without it). */
function serveOptions(address: string | undefined, token: string | undefined, lines: string | undefined): ServeCliOptions | undefined {
  if (address === undefined) {
    const orphan = token !== undefined ? '--serve-token' : lines !== undefined ? '--serve-lines' : undefined;
    if (orphan) throw new UsageError(`option '${orphan}' needs '--serve'`);
    return undefined;
  }
  if (token === '') throw new UsageError("invalid --serve-token: ''");
  const where = parseServeAddress(address);
  if (!where) throw new UsageError(`invalid --serve address: '${address}' (expected [HOST:]PORT)`);
  return { ...where, token, lines: optional(lines, (v) => positiveWhole(v, '--serve-lines')) };
}

/** A whole number of at least 1 (blanks around it allowed), for `flag`. */
function positiveWhole(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`invalid ${flag}: '${value}'`);
  return n;
}

/** GNU tail's warnings (tail.c, parse_options) about options that have no effect as given. */
function warnings(follow: FollowMode, retry: boolean, retrying: boolean, pid: boolean): string[] {
  const out: string[] = [];
  if (retry && follow === false) out.push('warning: --retry ignored; --retry is useful only when following');
  if (retrying && follow === 'descriptor') out.push('warning: --retry only effective for the initial open');
  if (pid && follow === false) out.push('warning: PID ignored; --pid=PID is useful only when following');
  return out;
}

/** One of a flag's choices, given whole or by an unambiguous start (`--follow=d`), as GNU's argmatch takes them. */
function choice(flag: Flag, value: string): string {
  const choices = flag.choices!;
  if (choices.includes(value)) return value;
  const candidates = choices.filter((c) => c.startsWith(value));
  if (candidates.length === 1) return candidates[0]!;
  throw new UsageError(`${candidates.length > 1 ? 'ambiguous' : 'invalid'} argument '${value}' for '--${flag.name}'`);
}

/** GNU's --max-unchanged-stats N: a whole number below 2⁶⁴ (it has no effect here). */
function unchangedStats(value: string): void {
  const digits = /^[ \t\n\v\f\r]*\+?(\d+)$/.exec(value)?.[1];
  if (digits === undefined || BigInt(digits) >= 2n ** 64n) throw new UsageError(`invalid maximum number of unchanged stats between opens: '${value}'`);
}

/** Seconds for a delay that must be at least one millisecond, the resolution of Node's timers. */
function positiveSeconds(value: string, flag: string): number {
  const seconds = parseSeconds(value, flag);
  if (seconds < 0.001) throw new UsageError(`invalid number of seconds for ${flag}: '${value}' (at least 0.001)`);
  return seconds;
}

/** `parse()`, with any usage error it throws replaced by `error()` (which names the flag). */
function refusing<T>(parse: () => T, error: () => UsageError): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof UsageError) throw error();
    throw e;
  }
}

/**
 * The processing steps in the order their flags appear. Repeated --grep (or --exclude) flags form one
 * step at the place of the first; --json, --parse, --where, --fields and --format form one record step
 * (the last --json or --parse says how lines are parsed).
 */
function steps(options: readonly OptionToken[]): Step[] {
  const out: Step[] = [];
  const find = <K extends Step['kind']>(kind: K) => out.find((s): s is Extract<Step, { kind: K }> => s.kind === kind);
  const jsonStep = () => {
    let step = find('json');
    if (!step) out.push((step = { kind: 'json', where: [], fields: undefined, parser: 'json', format: undefined }));
    return step;
  };
  for (const { flag, value = '' } of options) {
    switch (flag.name) {
      case 'grep':
      case 'exclude': {
        const kind = flag.name;
        const step = find(kind);
        if (step) step.patterns.push(value);
        else out.push({ kind, patterns: [value] });
        break;
      }
      case 'multiline-start':
        out.push({ kind: 'multiline', start: value });
        break;
      case 'json':
        jsonStep().parser = 'json';
        break;
      case 'where':
        jsonStep().where.push(parseWhere(value));
        break;
      case 'fields':
        jsonStep().fields = parseFields(value);
        break;
      case 'parse':
        jsonStep().parser = parseRecordParser(value);
        break;
      case 'format':
        jsonStep().format = value;
        break;
      case 'rate-limit':
        out.push({ kind: 'rate-limit', ...parseRate(value, '--rate-limit') });
        break;
      case 'sample':
        out.push({ kind: 'sample', every: parseSample(value, '--sample') });
        break;
      case 'timestamp':
        if (!find('timestamp')) out.push({ kind: 'timestamp' });
        break;
      case 'plugin':
        out.push({ kind: 'plugin', spec: value });
        break;
    }
  }
  const record = find('json');
  if (record?.fields && record.format !== undefined) throw new UsageError('--fields and --format both choose what is printed of a record: give one');
  return out;
}

/**
 * -n and -c, GNU's way: every value is checked in order, the last one gives the count and the unit, and a
 * `+` on any of them means "from the start" (GNU never resets it: `-n +2 -n 3` is `-n +3`).
 */
function startFrom(options: readonly OptionToken[]): StartPosition | undefined {
  const counts = options.filter((t) => t.flag.name === 'lines' || t.flag.name === 'bytes').map((t) => ({ unit: t.flag.name as 'lines' | 'bytes', ...parseCount(t.value!, t.flag.name as 'lines' | 'bytes') }));
  const last = counts.at(-1);
  if (!last) return undefined;
  const fromStart = counts.some((c) => c.fromStart);
  if (last.unit === 'bytes') return fromStart ? { fromByte: last.count } : { bytes: last.count };
  return fromStart ? { fromLine: last.count } : { lines: last.count };
}

/** -f, -F, --follow[=HOW] and --no-follow: the last one given wins; following by name is the default. */
function followMode(options: readonly OptionToken[]): FollowMode {
  let mode: FollowMode = 'name';
  for (const { flag, value } of options) {
    if (flag.name === 'f') mode = 'descriptor';
    else if (flag.name === 'F') mode = 'name';
    else if (flag.name === 'follow') mode = choice(flag, value!) === 'descriptor' ? 'descriptor' : 'name';
    else if (flag.name === 'no-follow') mode = false;
  }
  return mode;
}

/**
 * Whether following by name was asked for by name: -F or `--follow=name`. Not the default, which passes
 * standard input through, nor a bare `--follow` (by name here, by descriptor in GNU tail).
 */
function followAsked(options: readonly OptionToken[]): boolean {
  const last = options.filter(({ flag }) => ['f', 'F', 'follow', 'no-follow'].includes(flag.name)).at(-1);
  return last !== undefined && (last.flag.name === 'F' || (last.flag.name === 'follow' && !last.implied));
}

/** What the last of the flags named in `meaning` stands for; undefined when none was given. */
function lastOf<T>(options: readonly OptionToken[], meaning: Readonly<Record<string, T>>): T | undefined {
  let found: T | undefined;
  for (const t of options) if (Object.hasOwn(meaning, t.flag.name)) found = meaning[t.flag.name];
  return found;
}

function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
