import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';
import { recordProcessor, type RecordOptions } from '../records/processor.js';
import type { LogRecord } from '../records/fields.js';
import { preview } from '../records/fields.js';

/**
 * Options of {@link regex}: which records to keep, and what to print of them (as `json()` takes them).
 *
 * @example
 * ```ts
 * import { tail, regex, type RegexOptions } from 'tail-async';
 *
 * const errors: RegexOptions = { where: ['level=ERROR'], format: '{time}: {msg}' };
 * const line = /^(?<time>\S+ \S+) (?<level>[A-Z]+) (?<msg>.*)$/;
 * for await (const l of tail('app.log', { follow: false, processors: [regex(line, errors)] })) console.log(l.text);
 * ```
 */
export type RegexOptions = RecordOptions;

/**
 * A processor that makes records of lines with a regular expression's named groups
 * (`(?<level>\w+)`): each group that took part in the match is a field (a string); one that did not is
 * missing. `where`, `fields` and `format` use the record exactly as `json()` uses a JSON object. A line
 * the expression does not match throws (`does not match …`), and the chain's error policy decides what
 * becomes of it, as for a line that is not JSON. The expression is a string (JavaScript syntax, as
 * `--parse 'regex:…'` takes it) or a `RegExp`; it needs at least one named group.
 *
 * @example
 * ```ts
 * const access = regex('^(?<ip>\\S+) \\S+ \\S+ \\[(?<time>[^\\]]+)\\] "(?<req>[^"]*)" (?<status>\\d+)', { where: ['status>=500'] });
 * access.process('10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" 503 12', ctx); // undefined: kept
 * ```
 */
export function regex(pattern: string | RegExp, options: RegexOptions = {}): ProcessorObject {
  const parse = regexParser(pattern, 'regex()');
  return recordProcessor('regex', parse, options, 'regex()');
}

/**
 * A parser of lines into records by the named groups of `pattern`. Throws a `TailError`
 * (`ERR_TAIL_OPTION`) naming `what` for an invalid expression or one without a named group.
 * @internal
 */
export function regexParser(pattern: string | RegExp, what: string): (text: string) => LogRecord {
  let re: RegExp;
  try {
    re = typeof pattern === 'string' ? new RegExp(pattern) : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  } catch (error) {
    throw optionError(`${what}: invalid regular expression '${String(pattern)}': ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (!/\(\?<[A-Za-z_$][\w$]*>/.test(re.source)) throw optionError(`${what}: '${String(pattern)}' has no named group, such as (?<level>\\w+)`);
  return (text) => {
    const groups = re.exec(text)?.groups;
    if (!groups) throw new Error(`does not match ${String(re)}: ${preview(text)}`);
    const record: LogRecord = {};
    for (const key of Object.keys(groups)) if (groups[key] !== undefined) record[key] = groups[key];
    return record;
  };
}
