import { optionError } from '../../errors.js';
import { lookup, type LogRecord } from './fields.js';

/** A compiled output template: renders a record (and the line's raw text). @internal */
export type Template = (record: LogRecord, text: string) => string;

/**
 * Compiles an output template such as `'{time} {level} {msg}'`: each `{path}` is replaced by the
 * record's field at that dotted path (a string as it is; a number or boolean as written; an object or
 * array as JSON; missing or null: nothing), `{.}` by the raw text of the line, `{{` and `}}` by a brace.
 * Throws a `TailError` (`ERR_TAIL_OPTION`) for an unclosed `{` or an empty `{}`.
 * @internal
 * @example
 * ```ts
 * compileTemplate('{level}: {msg}')({ level: 'error', msg: 'boom' }, ''); // 'error: boom'
 * ```
 */
export function compileTemplate(template: string): Template {
  if (typeof template !== 'string') throw optionError('format: the template must be a string');
  // Literal runs and field paths alternate: parts[0], field 0, parts[1], field 1, …
  const parts: string[] = [];
  const paths: string[] = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      literal += c;
      i++;
    } else if (c === '{') {
      const close = template.indexOf('}', i + 1);
      if (close === -1) throw optionError(`format '${template}': '{' at ${i + 1} is not closed (write {{ for a brace)`);
      const path = template.slice(i + 1, close).trim();
      if (path === '') throw optionError(`format '${template}': empty field name at ${i + 1}`);
      parts.push(literal);
      paths.push(path);
      literal = '';
      i = close;
    } else literal += c;
  }
  parts.push(literal);
  return (record, text) => {
    let out = parts[0]!;
    for (let k = 0; k < paths.length; k++) out += fieldText(paths[k] === '.' ? text : lookup(record, paths[k]!)) + parts[k + 1]!;
    return out;
  };
}

function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
