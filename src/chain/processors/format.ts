import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';
import { recordProcessor } from '../records/processor.js';
import { parseJson } from './json.js';
import { parseLogfmt } from './logfmt.js';
import { regexParser } from './regex.js';

/**
 * Options of {@link format}.
 *
 * @example
 * ```ts
 * import { format, type FormatOptions } from 'tail-async';
 *
 * const fromLogfmt: FormatOptions = { parse: 'logfmt' };
 * const pretty = format('{time} [{level}] {msg}', fromLogfmt);
 * ```
 */
export interface FormatOptions {
  /**
   * How a line becomes the record the template renders: `'json'` (default), `'logfmt'`, or a regular
   * expression with named groups (see `regex()`).
   */
  readonly parse?: 'json' | 'logfmt' | RegExp;
}

/**
 * A processor that renders each line's record through a template: `{path}` is the record's field at
 * that dotted path (a string as it is, a number or boolean as written, an object or array as JSON; a
 * missing or null field renders as nothing), `{.}` the raw text of the line, `{{` and `}}` a brace. A
 * line that cannot be parsed throws, and the chain's error policy decides what becomes of it. After a
 * `json()`, `logfmt()` or `regex()` filter, give it the same `parse`; or give those their `format`
 * option and parse each line once.
 *
 * @example
 * ```ts
 * const pretty = format('{time} [{level}] {msg}', { parse: 'logfmt' });
 * pretty.process('time=12:00 level=warn msg="low disk"', ctx); // '12:00 [warn] low disk'
 * ```
 */
export function format(template: string, options: FormatOptions = {}): ProcessorObject {
  if (typeof options !== 'object' || options === null) throw optionError('format(): options must be an object');
  const how = options.parse ?? 'json';
  const parse = how === 'json' ? parseJson : how === 'logfmt' ? parseLogfmt : how instanceof RegExp ? regexParser(how, 'format()') : undefined;
  if (!parse) throw optionError(`format(): parse must be 'json', 'logfmt' or a RegExp, not ${String(how)}`);
  return recordProcessor('format', parse, { format: template }, 'format()');
}
