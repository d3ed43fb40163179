import type { ProcessorObject } from '../types.js';
import { recordProcessor, type RecordOptions } from '../records/processor.js';
import type { LogRecord } from '../records/fields.js';

/**
 * Options of {@link logfmt}: which records to keep, and what to print of them (as {@link json} takes them).
 *
 * @example
 * ```ts
 * import { tail, logfmt, type LogfmtOptions } from 'tail-async';
 *
 * const errors: LogfmtOptions = { where: ['level=error'], format: '{msg}' };
 * for await (const line of tail('app.log', { follow: false, processors: [logfmt(errors)] })) console.log(line.text);
 * ```
 */
export type LogfmtOptions = RecordOptions;

/**
 * A processor for logfmt lines (`time=2024-05-01T12:00:00Z level=error msg="disk full" retry`): each line
 * becomes a record (see {@link parseLogfmt}) that `where`, `fields` and `format` use exactly as
 * `json()` uses a JSON object. Without them the line goes on unchanged.
 *
 * @example
 * ```ts
 * const errors = logfmt({ where: ['level=error'], format: '{time} {msg}' });
 * errors.process('time=12:00 level=error msg="disk full"', ctx); // '12:00 disk full'
 * ```
 */
export function logfmt(options: LogfmtOptions = {}): ProcessorObject {
  return recordProcessor('logfmt', parseLogfmt, options, 'logfmt()');
}

// Hand-written: the npm parsers checked (logfmt 1.4.0, @jclem/logfmt2 2.4.3) lose '=' inside values
// (`h=a=b`), misread a bare key before `k=`, and decode no escape but \" and \\.
/**
 * Parses a logfmt line into a record of strings: `key=value` pairs separated by spaces; a value in
 * double quotes may hold spaces and the escapes `\"`, `\\`, `\n`, `\r`, `\t` and `\u` with four hex digits (`\u00e9`); an unquoted
 * value runs to the next space (and may hold `=`); `key=` is the empty string; a bare `key` is `true`.
 * A key is any run of characters other than space, `=` and `"`; a stray character is skipped. An
 * unterminated quote takes the rest of the line. Of a key given twice, the last value counts.
 *
 * @example
 * ```ts
 * parseLogfmt('level=info msg="hello \\"you\\"" n=3 debug');
 * // { level: 'info', msg: 'hello "you"', n: '3', debug: true }
 * ```
 */
export function parseLogfmt(text: string): LogRecord {
  const record: LogRecord = {};
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c <= 32) {
      i++;
      continue;
    }
    const keyStart = i;
    while (c > 32 && c !== EQUALS && c !== QUOTE && ++i < n) c = text.charCodeAt(i);
    if (i === keyStart) {
      // A stray '=' or '"' where a key should start.
      i++;
      continue;
    }
    const key = text.slice(keyStart, i);
    if (i >= n || c !== EQUALS) {
      set(record, key, true);
      continue;
    }
    i++;
    if (i < n && text.charCodeAt(i) === QUOTE) {
      const [value, next] = quoted(text, i + 1);
      set(record, key, value);
      i = next;
    } else {
      const valueStart = i;
      while (i < n && text.charCodeAt(i) > 32) i++;
      set(record, key, text.slice(valueStart, i));
    }
  }
  return record;
}

const EQUALS = 61;
const QUOTE = 34;

/** A plain object stays fast (V8 keeps its shape); a key named __proto__ is made a field like any other. */
function set(record: LogRecord, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t', '/': '/', b: '\b', f: '\f' };

/** The quoted value starting after its opening quote at `i`, and where the text goes on after it. */
function quoted(text: string, i: number): [string, number] {
  const close = text.indexOf('"', i);
  // The common case: no escape before the closing quote.
  if (close !== -1 && text.lastIndexOf('\\', close) < i) return [text.slice(i, close), close + 1];
  let out = '';
  let run = i;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return [out + text.slice(run, i), i + 1];
    if (c === '\\' && i + 1 < text.length) {
      out += text.slice(run, i);
      const e = text[i + 1]!;
      const hex = e === 'u' ? /^[0-9a-fA-F]{4}/.exec(text.slice(i + 2, i + 6)) : null;
      if (hex) {
        out += String.fromCharCode(parseInt(hex[0], 16));
        i += 6;
      } else {
        // An unknown escape is kept as written.
        out += ESCAPES[e] ?? `\\${e}`;
        i += 2;
      }
      run = i;
      continue;
    }
    i++;
  }
  return [out + text.slice(run), text.length];
}
