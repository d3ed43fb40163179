import { FLAGS, type Flag } from './flags.js';

// Laid out by hand, in GNU's format (`-n, --lines=[+]NUM` at column 2, the text at column 27): yargs'
// layout has no value placeholders, adds [string]/[boolean] tags and cannot keep an example on one line.

/** Where a flag's text starts, and how much further its continuation lines are indented (GNU's columns). */
const TEXT_COLUMN = 27;
const CONTINUATION = 2;

const USAGE = 'Usage: tail-async [OPTION]... [FILE|PATTERN]...';
const ABOUT = [
  'Print the last 10 lines of each FILE and follow it as it grows, across rotation, truncation, deletion and re-creation (like tail -F). With no FILE, or when FILE is -, read standard input line by line to its end.',
  'Mandatory arguments to long options are mandatory for short options too.',
];

/** Each example: what it does, then the command, printed whole on a line of its own so it can be copied. @internal */
export const EXAMPLES: readonly (readonly [string, string])[] = [
  ['last 10 lines of app.log, then follow it', 'tail-async app.log'],
  ['last 100 lines, then follow, through grep', 'tail-async -n 100 app.log | grep ERROR'],
  ['every line of every matching file, then exit', "tail-async -n +1 --no-follow 'logs/*.log'"],
  ['follow every match, and files that start matching later', "tail-async 'logs/**/*.log'"],
  ['the last 5 lines of the output of some-cmd', 'some-cmd | tail-async -n 5'],
  ['error events, stack traces joined to them', "tail-async --grep ERROR --multiline-start '^\\d{4}-' app.log"],
  ['selected fields of JSON error records', 'tail-async --json --where level=error --fields time,msg app.log'],
  ['JSON records of server errors under /api/', "tail-async --json --where 'status>=500' --where 'path~^/api/' app.log"],
  ['the last 3 lines that match ERROR', 'tail-async --no-follow -n 3 --grep ERROR app.log'],
  ['from 10 minutes ago; exit once past 11:00 (binary search into big files)', 'tail-async --since 10m --until 11:00 app.log'],
  ['logfmt records, filtered and printed through a template', "tail-async --parse logfmt --where level=error --format '{time} {msg}' app.log"],
  ['at most 100 lines a second, then one in ten; the drops counted at exit', 'tail-async --rate-limit 100/s --sample 1/10 app.log'],
  ['lines through a processor of your own', 'tail-async --plugin ./redact.mjs app.log'],
  ['every line of syslog.N, syslog.N.gz, then syslog, in order', 'tail-async --backfill --no-follow /var/log/syslog'],
  ['ship lines to Redis streams; the state file moves once Redis has them', 'tail-async --state-file st.json --sink redis://127.0.0.1/0 app.log'],
  ['a live page of app.log in the browser, at http://127.0.0.1:8080/', 'tail-async --serve 8080 app.log'],
];

const EPILOGUE = [
  'NUM and SIZE may have a multiplier suffix: b 512, kB 1000, K 1024, MB 1000*1000, M 1024*1024, GB, G, T, P, E… SEC may be a fraction (0.5); above 2147483 (about 24.8 days, the longest a timer waits) it counts as 2147483.',
  'Quote patterns so that new matching files are picked up while following.',
  'Exit status: 0 success; 1 a file could not be read, writing the output failed, the state file was not saved before exit, the --sink engine could not be reached at the start or refused the lines, or --serve could not listen on its address; 2 usage error, a plugin that cannot be loaded, or a state file that cannot be used (unwritable, in use, among the inputs); 130/143 ended by SIGINT/SIGTERM; 141 the reader of the output went away. A plugin that fails on a line, or to close, is reported and changes no status (but with --on-error stop: 1).',
  'SIGINT and SIGTERM end the run within a second, also while a plugin is stuck: the lines every processor had finished are printed; the line a plugin was working on and the lines after it are not, and the next run with the same --state-file starts at that line.',
];

/** The narrowest layout still laid out in columns. */
const MIN_WIDTH = 40;

/**
 * How wide `--help` may be: `COLUMNS` when it is set to a number, else the terminal's width when standard
 * output is one, else 80 (as GNU's programs assume).
 * @internal
 */
export function helpWidth(env: Readonly<Record<string, string | undefined>>, stdout: { isTTY?: boolean; columns?: number }): number {
  const columns = /^\s*\d+\s*$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : stdout.isTTY && stdout.columns ? stdout.columns : 80;
  return Math.max(columns, MIN_WIDTH);
}

/**
 * The `--help` text, `width` columns wide at most (hidden flags left out): no line is longer, but a command
 * of the examples, printed whole, and a single word longer than the room left.
 * @internal
 */
export function renderHelp(width = 80): string {
  width = Math.max(width, MIN_WIDTH);
  const out: string[] = [USAGE];
  for (const paragraph of ABOUT) out.push(...wrap(paragraph, width, 0, 0), '');
  const visible = FLAGS.filter((f) => !f.hidden);
  const groups = [...new Set(visible.map((f) => f.group))];
  for (const group of groups) {
    if (group !== undefined) out.push(group);
    for (const flag of visible.filter((f) => f.group === group)) out.push(...flagLines(flag, width));
    out.push('');
  }
  out.push('Examples:');
  for (const [what, command] of EXAMPLES) out.push(...wrap(`${what}:`, width, 2, 2), `    ${command}`);
  out.push('');
  for (const paragraph of EPILOGUE) out.push(...wrap(paragraph, width, 0, 0), '');
  return out.join('\n').trimEnd();
}

/** A flag's names as GNU's help shows them: `  -n, --lines=[+]NUM`, `      --pid=PID`, `  -F`. */
function flagSynopsis(flag: Flag): string {
  const aliases = flag.alias === undefined ? [] : typeof flag.alias === 'string' ? [flag.alias] : [...flag.alias];
  const names = [flag.name, ...aliases];
  const short = names.filter((n) => n.length === 1).map((n) => `-${n}`);
  const long = names.filter((n) => n.length > 1).map((n) => `--${n}`);
  const value = flag.type === 'string' ? (flag.optionalValue !== undefined ? `[=${flag.placeholder}]` : `=${flag.placeholder}`) : '';
  // The value goes after the first long name (GNU: `-q, --quiet, --silent`, `-n, --lines=[+]NUM`).
  const parts = long.length > 0 ? [...short, `${long[0]}${value}`, ...long.slice(1)] : short.map((s) => `${s}${value ? ` ${flag.placeholder}` : ''}`);
  return (short.length > 0 ? '  ' : '      ') + parts.join(', ');
}

function flagLines(flag: Flag, width: number): string[] {
  const synopsis = flagSynopsis(flag);
  const text = flag.defaultDescription === undefined ? flag.describe : `${flag.describe} (default: ${flag.defaultDescription})`;
  const body = wrap(text, width, TEXT_COLUMN, TEXT_COLUMN + CONTINUATION);
  // GNU starts the text on the next line when the names leave less than two spaces before its column.
  if (synopsis.length + 2 > TEXT_COLUMN) return [synopsis, ...body];
  return [synopsis.padEnd(TEXT_COLUMN) + body[0]!.slice(TEXT_COLUMN), ...body.slice(1)];
}

/** `text` as lines of at most `width` columns: the first indented by `first`, the others by `rest`. */
function wrap(text: string, width: number, first: number, rest: number): string[] {
  const lines: string[] = [];
  let line = ' '.repeat(first);
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(rest);
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}
