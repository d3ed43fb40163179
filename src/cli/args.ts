import yargsParser from 'yargs-parser';
import { FLAGS } from './flags.js';
import type { FollowMode, StartPosition } from '../options.js';
import { parseCount, parseSeconds } from './numbers.js';
import { UsageError } from './usage-error.js';
import { parseFields, parseWhere } from '../chain/processors/json.js';

/** What the command line asks for. @internal */
export interface CliOptions {
  /** Files and patterns as given; empty means standard input. */
  readonly files: readonly string[];
  /** The start given with -n or -c; undefined: the default (last 10 lines; all of stdin). */
  readonly start: StartPosition | undefined;
  readonly follow: FollowMode;
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
  /** Where lines are shipped instead of printed (--sink URL). */
  readonly sink: string | undefined;
  /** The processing steps, in command-line order. */
  readonly steps: readonly Step[];
  readonly ignoreCase: boolean;
  readonly color: 'auto' | 'always' | 'never';
  readonly onError: 'log' | 'pass' | 'skip' | 'stop';
  /** Seconds. */
  readonly processorTimeout: number | undefined;
  /** Seconds. */
  readonly multilineTimeout: number | undefined;
  readonly help: boolean;
  readonly version: boolean;
}

/** One processing step asked for on the command line. @internal */
export type Step =
  | { readonly kind: 'grep' | 'exclude'; readonly patterns: string[] }
  | { readonly kind: 'multiline'; readonly start: string }
  | { readonly kind: 'json'; readonly where: Array<readonly [string, string]>; fields: string[] | undefined }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'plugin'; readonly spec: string };

/** yargs-parser's reading of the command line, with every option of {@link FLAGS} declared. */
function parseRaw(argv: readonly string[]): Record<string, unknown> {
  const string = FLAGS.filter((f) => f.type === 'string').map((f) => f.name);
  const boolean = FLAGS.filter((f) => f.type === 'boolean').map((f) => f.name);
  const alias: Record<string, string[]> = {};
  for (const f of FLAGS) if (f.alias !== undefined) alias[f.name] = typeof f.alias === 'string' ? [f.alias] : [...f.alias];
  const { argv: raw, error } = yargsParser.detailed([...argv], {
    string,
    boolean,
    alias,
    configuration: {
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      'duplicate-arguments-array': false,
      'strip-aliased': false,
    },
  });
  if (error) throw new UsageError(error.message);
  const known = new Set(['_', '--', ...FLAGS.flatMap((f) => [f.name, ...(f.alias === undefined ? [] : typeof f.alias === 'string' ? [f.alias] : f.alias)])]);
  const unknown = Object.keys(raw).find((key) => !known.has(key));
  if (unknown !== undefined) throw new UsageError(unknownOption(unknown, argv));
  for (const flag of FLAGS) {
    const value = raw[flag.name];
    if (flag.type !== 'string' || value === undefined) continue;
    if (value === '' && !argv.some((arg) => arg === `--${flag.name}=`)) {
      const short = typeof flag.alias === 'string' && flag.alias.length === 1 ? flag.alias : undefined;
      throw new UsageError(short ? `option requires an argument -- '${short}'` : `option '--${flag.name}' requires an argument`);
    }
    if (flag.choices && !flag.choices.includes(String(value))) {
      throw new UsageError(`invalid argument '${String(value)}' for '--${flag.name}'`);
    }
  }
  return raw;
}

/** GNU's words for an option nobody knows: the long form as given, or the short letter. */
function unknownOption(name: string, argv: readonly string[]): string {
  const given = argv.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  return given ? `unrecognized option '${given.split('=')[0]}'` : `invalid option -- '${name}'`;
}

/** Parses the command line. Throws {@link UsageError} for anything malformed. @internal */
export function parseArgs(argv: readonly string[]): CliOptions {
  const normalized = normalize(argv);
  const raw = parseRaw(normalized);
  const str = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string) : undefined);
  const files = (raw._ as unknown[]).map(String);

  let follow: FollowMode = 'name';
  if (raw.f) follow = 'descriptor';
  if (str('follow')) follow = str('follow') === 'descriptor' ? 'descriptor' : 'name';
  if (raw.F) follow = 'name';
  if (raw['no-follow']) follow = false;

  return {
    files,
    start: startFrom(normalized, str('lines'), str('bytes')),
    follow,
    headers: headerMode(normalized, raw.quiet === true, raw.verbose === true),
    zero: raw['zero-terminated'] === true,
    pid: optional(str('pid'), (v) => {
      const pid = Number(v);
      if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`invalid PID: '${v}'`);
      return pid;
    }),
    poll: raw.poll === true,
    sleepInterval: optional(str('sleep-interval'), (v) => parseSeconds(v, '--sleep-interval')),
    rotateWait: optional(str('rotate-wait'), (v) => parseSeconds(v, '--rotate-wait')),
    maxOpenFiles: optional(str('max-open-files'), (v) => {
      const n = Number(v);
      if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`invalid --max-open-files: '${v}'`);
      return n;
    }),
    prefix: raw.prefix === true,
    output: str('output') === 'jsonl' ? 'jsonl' : 'raw',
    maxLineBytes: optional(str('max-line-bytes'), (v) => {
      const { count } = parseCount(v, 'bytes');
      if (count === 0) throw new UsageError(`invalid --max-line-bytes: '${v}'`);
      return count;
    }),
    stateFile: str('state-file'),
    sink: str('sink'),
    steps: steps(normalized),
    ignoreCase: raw['ignore-case'] === true,
    color: (str('color') ?? 'auto') as CliOptions['color'],
    onError: (str('on-error') ?? 'log') as CliOptions['onError'],
    processorTimeout: optional(str('processor-timeout'), (v) => positiveSeconds(v, '--processor-timeout')),
    multilineTimeout: optional(str('multiline-timeout'), (v) => positiveSeconds(v, '--multiline-timeout')),
    help: raw.help === true,
    version: raw.version === true,
  };
}

function positiveSeconds(value: string, flag: string): number {
  const seconds = parseSeconds(value, flag);
  if (seconds === 0) throw new UsageError(`invalid number of seconds for ${flag}: '${value}'`);
  return seconds;
}

/**
 * The processing steps in the order their flags appear. Repeated --grep (or --exclude) flags form one
 * step at the place of the first; --json, --where and --fields form one JSON step.
 */
function steps(argv: readonly string[]): Step[] {
  const out: Step[] = [];
  const find = <K extends Step['kind']>(kind: K) => out.find((s): s is Extract<Step, { kind: K }> => s.kind === kind);
  const jsonStep = () => {
    let step = find('json');
    if (!step) out.push((step = { kind: 'json', where: [], fields: undefined }));
    return step;
  };
  for (const arg of argv) {
    if (arg === '--') break;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = eq === -1 ? '' : arg.slice(eq + 1);
    switch (flag) {
      case '--grep':
      case '--exclude': {
        const kind = flag === '--grep' ? 'grep' : 'exclude';
        const step = find(kind);
        if (step) step.patterns.push(value);
        else out.push({ kind, patterns: [value] });
        break;
      }
      case '--multiline-start':
        out.push({ kind: 'multiline', start: value });
        break;
      case '--json':
        jsonStep();
        break;
      case '--where':
        jsonStep().where.push(parseWhere(value));
        break;
      case '--fields':
        jsonStep().fields = parseFields(value);
        break;
      case '--timestamp':
        if (!find('timestamp')) out.push({ kind: 'timestamp' });
        break;
      case '--plugin':
        out.push({ kind: 'plugin', spec: value });
        break;
    }
  }
  return out;
}

/** Options that take a value, by every name they can be given with. */
const TAKES_VALUE: Record<string, string> = {
  '-n': 'lines',
  '--lines': 'lines',
  '-c': 'bytes',
  '--bytes': 'bytes',
  '-s': 'sleep-interval',
  '--sleep-interval': 'sleep-interval',
  '--pid': 'pid',
  '--rotate-wait': 'rotate-wait',
  '--max-open-files': 'max-open-files',
  '--max-line-bytes': 'max-line-bytes',
  '--output': 'output',
  '--state-file': 'state-file',
  '--sink': 'sink',
  '--grep': 'grep',
  '--exclude': 'exclude',
  '--multiline-start': 'multiline-start',
  '--multiline-timeout': 'multiline-timeout',
  '--where': 'where',
  '--fields': 'fields',
  '--plugin': 'plugin',
  '--on-error': 'on-error',
  '--processor-timeout': 'processor-timeout',
  '--color': 'color',
};

/**
 * GNU forms yargs does not know: `-NUM` (obsolete `-n NUM`), `--follow` without a value, and values
 * that start with a dash (`-n -5`, `-s -1`), which yargs would take for options.
 */
function normalize(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const long = TAKES_VALUE[arg];
    if (long !== undefined && i + 1 < argv.length) out.push(`--${long}=${argv[++i]}`);
    else if (/^-\d+$/.test(arg)) out.push(`--lines=${arg.slice(1)}`);
    else if (arg === '--follow') out.push('--follow=name');
    else out.push(arg);
  }
  return out;
}

/** -n and -c: the one given last wins, as in GNU tail. */
function startFrom(argv: readonly string[], lines: string | undefined, bytes: string | undefined): StartPosition | undefined {
  if (lines === undefined && bytes === undefined) return undefined;
  const lastIndex = (re: RegExp) => argv.reduce((found, arg, i) => (re.test(arg) ? i : found), -1);
  const useBytes = bytes !== undefined && (lines === undefined || lastIndex(/^(-[^-]*c|--bytes)/) > lastIndex(/^(-[^-]*n|--lines)/));
  if (useBytes) {
    const { fromStart, count } = parseCount(bytes!, 'bytes');
    return fromStart ? { fromByte: count } : { bytes: count };
  }
  const { fromStart, count } = parseCount(lines!, 'lines');
  return fromStart ? { fromLine: count } : { lines: count };
}

/** -q and -v: the one given last wins, as in GNU tail. */
function headerMode(argv: readonly string[], quiet: boolean, verbose: boolean): CliOptions['headers'] {
  if (quiet && verbose) return lastFlag(argv, 'q', ['--quiet', '--silent']) > lastFlag(argv, 'v', ['--verbose']) ? 'never' : 'always';
  return quiet ? 'never' : verbose ? 'always' : 'auto';
}

/**
 * Where the last `-X` (also inside a cluster such as `-zqv`) or long form of a flag is, as a number that
 * grows along the command line; -1 if absent. Operands after `--` and option values are not looked at.
 */
function lastFlag(argv: readonly string[], short: string, long: readonly string[]): number {
  let found = -1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (long.some((name) => arg === name || arg.startsWith(`${name}=`))) found = i * 1000;
    else if (/^-[^-]/.test(arg)) {
      for (let j = 1; j < arg.length && j < 1000; j++) {
        if (arg[j] === short) found = i * 1000 + j;
        if ('ncs'.includes(arg[j]!)) {
          // The rest of the cluster, or the next argument, is this option's value.
          if (j === arg.length - 1) i++;
          break;
        }
      }
    }
  }
  return found;
}

function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
