import yargs, { type Argv } from 'yargs';
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
  readonly prefix: boolean;
  readonly output: 'raw' | 'jsonl';
  readonly maxLineBytes: number | undefined;
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

const INPUT = 'Input:';
const FOLLOW = 'Following:';
const PROCESSING = 'Processing:';
const OUTPUT = 'Output:';

/** The yargs definition: every flag, its group and its help. @internal */
export function definition(argv: readonly string[]): Argv {
  return yargs([...argv])
    .help(false)
    .version(false)
    .scriptName('tail-async')
    .usage('Usage: $0 [OPTION]... [FILE|PATTERN]...\n\nPrint the last 10 lines of each FILE and follow it as it grows, across rotation,\ntruncation, deletion and re-creation (like tail -F). With no FILE, or when FILE is -,\nread standard input line by line to its end.')
    .option('lines', { alias: 'n', type: 'string', requiresArg: true, group: INPUT, describe: 'output the last K lines, or use +K to start at line K', defaultDescription: '10' })
    .option('bytes', { alias: 'c', type: 'string', requiresArg: true, group: INPUT, describe: 'output the last K bytes, or use +K to start at byte K' })
    .option('zero-terminated', { alias: 'z', type: 'boolean', group: INPUT, describe: 'line delimiter is NUL, not newline' })
    .option('follow', { type: 'string', group: FOLLOW, describe: 'follow by name (default; survives rotation) or by descriptor', choices: ['name', 'descriptor'] })
    .option('F', { type: 'boolean', group: FOLLOW, describe: 'same as --follow=name --retry (the default)' })
    .option('f', { type: 'boolean', group: FOLLOW, describe: 'same as --follow=descriptor: keep reading the opened file' })
    .option('no-follow', { type: 'boolean', group: FOLLOW, describe: 'print the selected lines and exit' })
    .option('retry', { type: 'boolean', group: FOLLOW, describe: 'keep trying to open a file (always on when following by name)' })
    .option('pid', { type: 'string', requiresArg: true, group: FOLLOW, describe: 'with follow, exit after process PID dies' })
    .option('sleep-interval', { alias: 's', type: 'string', requiresArg: true, group: FOLLOW, describe: 'with --poll, seconds between checks', defaultDescription: '1' })
    .option('poll', { type: 'boolean', group: FOLLOW, describe: 'poll instead of watching (NFS, FUSE, no inotify)' })
    .option('rotate-wait', { type: 'string', requiresArg: true, group: FOLLOW, describe: 'seconds a rotated or deleted file is still read after its last growth', defaultDescription: '2' })
    .option('grep', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'keep lines matching RE (repeatable: any of them)' })
    .option('exclude', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'drop lines matching RE (repeatable)' })
    .option('ignore-case', { alias: 'i', type: 'boolean', group: PROCESSING, describe: 'match --grep and --exclude without regard to case' })
    .option('multiline-start', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'join lines not matching RE (stack traces) to the line that starts the event' })
    .option('multiline-timeout', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'seconds of quiet after which a pending event is printed', defaultDescription: '1' })
    .option('json', { type: 'boolean', group: PROCESSING, describe: 'parse each line as JSON (non-JSON lines follow --on-error)' })
    .option('where', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'with --json, keep records whose FIELD (dotted path) equals VALUE (repeatable)' })
    .option('fields', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'with --json, print only these comma-separated fields, as JSON' })
    .option('timestamp', { type: 'boolean', group: PROCESSING, describe: 'prefix each line with the time it was read (ISO 8601)' })
    .option('plugin', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'add the processor exported by this module path or package (repeatable)' })
    .option('on-error', { type: 'string', requiresArg: true, group: PROCESSING, choices: ['log', 'pass', 'skip', 'stop'], describe: 'when a processor fails on a line: report and drop it, report and pass it, drop it silently, or stop', defaultDescription: 'log' })
    .option('processor-timeout', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'seconds an async processor may take on one line', defaultDescription: '30' })
    .option('max-line-bytes', { type: 'string', requiresArg: true, group: PROCESSING, describe: 'split lines longer than this many bytes', defaultDescription: '16M' })
    .option('quiet', { alias: ['q', 'silent'], type: 'boolean', group: OUTPUT, describe: 'never print headers giving file names' })
    .option('verbose', { alias: 'v', type: 'boolean', group: OUTPUT, describe: 'always print headers giving file names' })
    .option('prefix', { type: 'boolean', group: OUTPUT, describe: "prefix each line with its file name ('name: line') instead of headers" })
    .option('color', { type: 'string', requiresArg: true, group: OUTPUT, choices: ['auto', 'always', 'never'], describe: 'highlight --grep matches (auto: when stdout is a terminal and NO_COLOR is unset)', defaultDescription: 'auto' })
    .option('output', { type: 'string', requiresArg: true, group: OUTPUT, choices: ['raw', 'jsonl'], describe: 'raw lines, or one JSON object per line {file, text, offset, line}', defaultDescription: 'raw' })
    .option('help', { type: 'boolean', describe: 'display this help and exit' })
    .option('version', { type: 'boolean', describe: 'output version information and exit' })
    .example('$0 app.log', 'last 10 lines of app.log, then follow it')
    .example('$0 -n 100 app.log | grep ERROR', 'last 100 lines, then follow, through grep')
    .example("$0 -n +1 --no-follow 'logs/*.log'", 'every line of every matching file, then exit')
    .example("$0 'logs/**/*.log'", 'follow every match, and files that start matching later')
    .example('some-cmd | $0 -n 5', 'the last 5 lines of the output of some-cmd')
    .example("$0 --grep ERROR --multiline-start '^\\d{4}-' app.log", 'error events, stack traces joined to them')
    .example('$0 --json --where level=error --fields time,msg app.log', 'selected fields of JSON error records')
    .example('$0 --plugin ./redact.mjs app.log', 'lines through a processor of your own')
    .epilogue(
      'K may have a multiplier suffix: b 512, kB 1000, K 1024, MB 1000*1000, M 1024*1024, GB, G, T, P, E…\n' +
        'Quote patterns so that new matching files are picked up while following.\n\n' +
        'Exit status: 0 success; 1 a file could not be read; 2 usage error; 130/143 ended by\nSIGINT/SIGTERM; 141 the reader of the output went away.',
    )
    .parserConfiguration({
      'camel-case-expansion': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      'duplicate-arguments-array': false,
    })
    .strictOptions()
    .exitProcess(false)
    .wrap(100)
    .fail((message, error) => {
      throw new UsageError(describeFailure(message ?? error?.message ?? 'invalid arguments', argv));
    });
}

/** yargs' words for a bad command line, turned into GNU's. */
function describeFailure(message: string, argv: readonly string[]): string {
  const unknown = /^Unknown arguments?: ([^,]+)/.exec(message);
  if (unknown) {
    const name = unknown[1]!;
    const given = argv.find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
    return given ? `unrecognized option '${given.split('=')[0]}'` : `invalid option -- '${name}'`;
  }
  const missing = /^Not enough arguments following: (.+)$/.exec(message);
  if (missing) return `option requires an argument -- '${missing[1]}'`;
  const choice = /^Invalid values:\s+Argument: ([\w-]+), Given: "([^"]*)"/.exec(message);
  if (choice) return `invalid argument '${choice[2]}' for '--${choice[1]}'`;
  return message;
}

/** Parses the command line. Throws {@link UsageError} for anything malformed. @internal */
export function parseArgs(argv: readonly string[]): CliOptions {
  const normalized = normalize(argv);
  const raw = definition(normalized).parseSync() as Record<string, unknown>;
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
    prefix: raw.prefix === true,
    output: str('output') === 'jsonl' ? 'jsonl' : 'raw',
    maxLineBytes: optional(str('max-line-bytes'), (v) => {
      const { count } = parseCount(v, 'bytes');
      if (count === 0) throw new UsageError(`invalid --max-line-bytes: '${v}'`);
      return count;
    }),
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
  '--max-line-bytes': 'max-line-bytes',
  '--output': 'output',
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
