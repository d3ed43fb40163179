/**
 * One command-line option: its names, its kind, its help group and text.
 *
 * A flag that takes a value (`type: 'string'`) names it in `placeholder`, as GNU's help does: `NUM`,
 * `[+]NUM`, `SEC`, `FILE`, `RE`, `PID`, or `{a|b}` for a choice; `--help` shows `-n, --lines=[+]NUM`.
 * `describe` is one sentence without line breaks (help.ts wraps it to the terminal); `defaultDescription`
 * is shown after it as `(default: …)`.
 * @internal
 */
export interface Flag {
  readonly name: string;
  readonly alias?: string | readonly string[];
  readonly type: 'string' | 'boolean';
  /** The value's name in `--help`; required when `type` is `'string'`. */
  readonly placeholder?: string;
  readonly requiresArg?: boolean;
  readonly group?: string;
  readonly describe: string;
  readonly choices?: readonly string[];
  readonly defaultDescription?: string;
  /** The value of an option given without one (`--follow`); only `--name=VALUE` then gives one. */
  readonly optionalValue?: string;
  /** Left out of `--help`: accepted for GNU tail's own test suite and scripts. */
  readonly hidden?: boolean;
}

export const INPUT = 'Input:';
export const FOLLOW = 'Following:';
export const PROCESSING = 'Processing:';
export const OUTPUT = 'Output:';

/** Every option of the command, in the order `--help` lists them. @internal */
export const FLAGS: readonly Flag[] = [
  { name: 'lines', alias: 'n', type: 'string', placeholder: '[+]NUM', requiresArg: true, group: INPUT, describe: 'output the last NUM lines, or use +NUM to start at line NUM; with --grep, --exclude or --where first, the last NUM lines that pass them (as grep | tail -n NUM)', defaultDescription: '10' },
  { name: 'bytes', alias: 'c', type: 'string', placeholder: '[+]NUM', requiresArg: true, group: INPUT, describe: 'output the last NUM bytes, or use +NUM to start at byte NUM' },
  { name: 'backfill', type: 'boolean', group: INPUT, describe: "first read each file's rotated history, oldest first: NAME.N, NAME-DATE and their .gz/.zst forms (decompressed as read); then the file from its first byte (-n/-c do not apply to it), then follow" },
  { name: 'since', type: 'string', placeholder: 'TIME', requiresArg: true, group: INPUT, describe: 'start at the first line whose timestamp is at or after TIME (10m, 2h, 1d ago; 2024-05-01T12:00:00Z; 09:30 today; @EPOCH); files are entered by binary search; not with -n/-c' },
  { name: 'until', type: 'string', placeholder: 'TIME', requiresArg: true, group: INPUT, describe: 'end each file after its last line at or before TIME; following, exit once every file passed it (at the latest 1 s after TIME)' },
  { name: 'time-field', type: 'string', placeholder: 'FIELD', requiresArg: true, group: INPUT, describe: 'with --since/--until, the record field holding the time (epoch s/ms or a stamp) of JSON lines (or --parse records)', defaultDescription: 'time, ts, timestamp, @timestamp' },
  { name: 'zero-terminated', alias: 'z', type: 'boolean', group: INPUT, describe: 'line delimiter is NUL, not newline' },
  { name: 'follow', type: 'string', placeholder: '{name|descriptor}', group: FOLLOW, describe: 'follow by name (default; survives rotation) or by descriptor', choices: ['name', 'descriptor'], optionalValue: 'name' },
  { name: 'F', type: 'boolean', group: FOLLOW, describe: 'same as --follow=name --retry (the default)' },
  { name: 'f', type: 'boolean', group: FOLLOW, describe: 'same as --follow=descriptor: keep reading the opened file' },
  { name: 'no-follow', type: 'boolean', group: FOLLOW, describe: 'print the selected lines and exit' },
  { name: 'retry', type: 'boolean', group: FOLLOW, describe: 'keep trying to open a file (always on when following by name)' },
  { name: 'pid', type: 'string', placeholder: 'PID', requiresArg: true, group: FOLLOW, describe: 'with follow, exit after process PID dies' },
  { name: 'sleep-interval', alias: 's', type: 'string', placeholder: 'SEC', requiresArg: true, group: FOLLOW, describe: 'with --poll, SEC seconds between checks (0: every ms); else between safety checks, at least 0.1', defaultDescription: '1' },
  { name: 'poll', type: 'boolean', group: FOLLOW, describe: 'poll instead of watching (NFS, FUSE, no inotify)' },
  { name: 'state-file', type: 'string', placeholder: 'FILE', requiresArg: true, group: FOLLOW, describe: 'remember in FILE where each file was read up to, and resume from there next time (at least once, in order)' },
  { name: 'max-open-files', type: 'string', placeholder: 'N', requiresArg: true, group: FOLLOW, describe: 'keep at most N files open; the least recently active are closed and reopened when they change', defaultDescription: '256' },
  { name: 'rotate-wait', type: 'string', placeholder: 'SEC', requiresArg: true, group: FOLLOW, describe: 'SEC seconds a rotated or deleted file is still read after its last growth', defaultDescription: '2' },
  { name: 'grep', type: 'string', placeholder: 'RE', requiresArg: true, group: PROCESSING, describe: 'keep lines matching RE (repeatable: any of them)' },
  { name: 'exclude', type: 'string', placeholder: 'RE', requiresArg: true, group: PROCESSING, describe: 'drop lines matching RE (repeatable)' },
  { name: 'ignore-case', alias: 'i', type: 'boolean', group: PROCESSING, describe: 'match --grep and --exclude without regard to case' },
  { name: 'multiline-start', type: 'string', placeholder: 'RE', requiresArg: true, group: PROCESSING, describe: 'join lines not matching RE (stack traces) to the line that starts the event' },
  { name: 'multiline-timeout', type: 'string', placeholder: 'SEC', requiresArg: true, group: PROCESSING, describe: 'SEC seconds of quiet after which a pending event is printed', defaultDescription: '1' },
  { name: 'json', type: 'boolean', group: PROCESSING, describe: 'parse each line as JSON (non-JSON lines follow --on-error)' },
  { name: 'where', type: 'string', placeholder: 'COND', requiresArg: true, group: PROCESSING, describe: "with --json or --parse, keep records meeting COND (repeatable: all of them): FIELD=VALUE, FIELD!=VALUE, FIELD<N (<=, >, >=: numbers), FIELD~RE; FIELD is a dotted path; VALUE null means null or missing, \"null\" the text" },
  { name: 'fields', type: 'string', placeholder: 'LIST', requiresArg: true, group: PROCESSING, describe: 'with --json or --parse, print only the fields of LIST (comma-separated), as JSON' },
  { name: 'parse', type: 'string', placeholder: 'KIND', requiresArg: true, group: PROCESSING, describe: "make records of lines for --where, --fields and --format: KIND is json (as --json), logfmt, or 'regex:RE' with named groups (?<name>...)" },
  { name: 'format', type: 'string', placeholder: 'TEMPLATE', requiresArg: true, group: PROCESSING, describe: "print each record through TEMPLATE: '{time} {level} {msg}' ({a.b} a field, empty when missing; {.} the raw line; {{ }} braces); records are JSON without --parse" },
  { name: 'rate-limit', type: 'string', placeholder: 'RATE', requiresArg: true, group: PROCESSING, describe: "let through at most N lines of each file per second (RATE is N or N/s) or minute (N/m); the rest are dropped, with 'N lines dropped from FILE' once a second" },
  { name: 'sample', type: 'string', placeholder: 'RATIO', requiresArg: true, group: PROCESSING, describe: 'keep one line in N of each file (RATIO is 1/N), deterministically: the 1st, the N+1th…' },
  { name: 'timestamp', type: 'boolean', group: PROCESSING, describe: 'prefix each line with the time it was read (ISO 8601); with --output jsonl, a field "time" instead' },
  { name: 'plugin', type: 'string', placeholder: 'MODULE', requiresArg: true, group: PROCESSING, describe: "add the processor exported by MODULE (repeatable): a path starts with ./, ../ or /; any other name (big.js too) is a package, resolved as Node's import resolves it. Plugins run with your full rights" },
  { name: 'plugin-isolation', type: 'string', placeholder: '{worker|none}', requiresArg: true, group: PROCESSING, choices: ['worker', 'none'], describe: 'run each plugin in a worker thread of its own (a plugin stuck or exiting costs its line; the run stays killable), or in the main thread', defaultDescription: 'worker' },
  { name: 'on-error', type: 'string', placeholder: '{log|pass|skip|stop}', requiresArg: true, group: PROCESSING, choices: ['log', 'pass', 'skip', 'stop'], describe: 'when a processor fails on a line: report and drop it, report and pass it, drop it silently, or stop', defaultDescription: 'log' },
  { name: 'processor-timeout', type: 'string', placeholder: 'SEC', requiresArg: true, group: PROCESSING, describe: 'SEC seconds a processor may take on one line: async ones, and plugins in worker threads, also when stuck in synchronous code (in-process processors cannot be cut off then)', defaultDescription: '30' },
  { name: 'max-line-bytes', type: 'string', placeholder: 'SIZE', requiresArg: true, group: PROCESSING, describe: 'split lines longer than SIZE bytes (a multiplier suffix as for NUM)', defaultDescription: '16M' },
  { name: 'quiet', alias: ['q', 'silent'], type: 'boolean', group: OUTPUT, describe: 'never print headers giving file names' },
  { name: 'verbose', alias: 'v', type: 'boolean', group: OUTPUT, describe: 'always print headers giving file names' },
  { name: 'prefix', type: 'boolean', group: OUTPUT, describe: "prefix each line with its file name ('name: line') instead of headers" },
  { name: 'color', type: 'string', placeholder: 'WHEN', requiresArg: true, group: OUTPUT, choices: ['auto', 'always', 'never'], describe: 'highlight --grep matches in raw text (auto: when stdout is a terminal and NO_COLOR is unset); never inside JSON (--json, --output jsonl) nor with --sink', defaultDescription: 'auto' },
  { name: 'sink', type: 'string', placeholder: 'URL', requiresArg: true, group: OUTPUT, describe: 'ship lines to Redis Streams or NATS JetStream instead of printing them; URL: redis://HOST:PORT/DB?stream=T, redis+unix:///PATH.sock?stream=T, nats://HOST:PORT?subject=T&stream=S (needs --state-file)' },
  { name: 'output', type: 'string', placeholder: '{raw|jsonl}', requiresArg: true, group: OUTPUT, choices: ['raw', 'jsonl'], describe: 'raw lines, or one JSON object per line: {"file", "text", "offset", "end", "line"}, the name as given, the text, the byte offsets of the line and past its end, its line number (and "time", with --timestamp)', defaultDescription: 'raw' },
  { name: 'serve', type: 'string', placeholder: 'ADDRESS', requiresArg: true, group: OUTPUT, describe: 'show the lines in web browsers instead of printing them: serve a live page on ADDRESS, [HOST:]PORT (host 127.0.0.1 unless given; any other host needs a token)' },
  { name: 'serve-token', type: 'string', placeholder: 'TOKEN', requiresArg: true, group: OUTPUT, describe: 'with --serve, the token every request must carry (default on a non-loopback host: a random one, printed once in the URL)' },
  { name: 'serve-lines', type: 'string', placeholder: 'NUM', requiresArg: true, group: OUTPUT, describe: 'with --serve, lines a page keeps, and the server holds for pages that reconnect', defaultDescription: '10000' },
  // GNU tail's options for its own tests: accepted; `---disable-inotify` is --poll, the other has no effect here.
  { name: 'max-unchanged-stats', type: 'string', placeholder: 'N', requiresArg: true, group: FOLLOW, hidden: true, describe: 'accepted for GNU compatibility (files are re-checked by identity at every look)' },
  { name: '-disable-inotify', type: 'boolean', group: FOLLOW, hidden: true, describe: 'same as --poll' },
  { name: 'help', type: 'boolean', describe: 'display this help and exit' },
  { name: 'version', type: 'boolean', describe: 'output version information and exit' },
];
