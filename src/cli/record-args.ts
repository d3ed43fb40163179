import { UsageError } from './usage-error.js';
import { regexParser } from '../chain/processors/regex.js';
import { parseTime } from '../time/parse-time.js';

/** How a record step parses lines: `--json` / `--parse json`, `--parse logfmt`, `--parse 'regex:RE'`. @internal */
export type RecordParser = 'json' | 'logfmt' | { readonly regex: string };

/** The value of `--parse`. Throws a usage error for anything else, or a regex without a named group. @internal */
export function parseRecordParser(value: string): RecordParser {
  if (value === 'json' || value === 'logfmt') return value;
  if (value.startsWith('regex:')) {
    const regex = value.slice('regex:'.length);
    // Checked now, so that a bad expression is a usage error before anything is opened.
    regexParser(regex, '--parse');
    return { regex };
  }
  throw new UsageError(`invalid argument '${value}' for '--parse' (give json, logfmt or 'regex:RE' with named groups)`);
}

/**
 * --since, --until and --time-field, the moments read now (a relative `10m` counts back from now).
 * `--since` chooses where reading starts: with -n or -c it is a usage error.
 * @internal
 */
export function timeArgs(str: (name: string) => string | undefined, counted: boolean, now = Date.now()): { since: number | undefined; until: number | undefined; timeField: string | undefined } {
  const since = str('since');
  const until = str('until');
  if (since !== undefined && counted) throw new UsageError('--since and -n/-c both choose where reading starts: give one');
  const from = since === undefined ? undefined : parseTime(since, now, '--since');
  const to = until === undefined ? undefined : parseTime(until, now, '--until');
  if (from !== undefined && to !== undefined && to < from) throw new UsageError(`--until '${until}' is before --since '${since}'`);
  const timeField = str('time-field');
  if (timeField !== undefined && timeField.trim() === '') throw new UsageError("invalid --time-field: ''");
  return { since: from, until: to, timeField };
}
