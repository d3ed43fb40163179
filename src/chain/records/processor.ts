import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';
import { STATELESS } from '../prefilter.js';
import { compileCondition, parseWhere, type WhereCondition } from '../processors/where.js';
import { isRecord, lookup, preview, type LogRecord } from './fields.js';
import { compileTemplate } from './template.js';

/**
 * What to do with the records of lines: which to keep, and what to print of them.
 *
 * @example
 * ```ts
 * import { json, type RecordOptions } from 'tail-async';
 *
 * const serverErrors: RecordOptions = { where: ['status>=500', ['method', 'GET']], fields: ['time', 'path'] };
 * const processor = json(serverErrors);
 * ```
 */
export interface RecordOptions {
  /**
   * Keeps only records that meet every condition: a string as the command line's `--where` takes it
   * (`'level!=info'`, `'status>=500'`, `'msg~^timeout'`, `'user=null'`), or a `[field, value]` pair,
   * which means `field=value`.
   */
  readonly where?: ReadonlyArray<string | readonly [field: string, value: string] | WhereCondition>;
  /** Replaces the line by a JSON object of exactly these dotted field paths, in this order. */
  readonly fields?: readonly string[];
  /**
   * Replaces the line by this template rendered with the record: `{path}` a field (missing: empty),
   * `{.}` the raw text, `{{`/`}}` a brace. Not with `fields`.
   */
  readonly format?: string;
}

/**
 * A stateless processor that parses each line into a record with `parse` (which throws for a line it
 * cannot read: the chain's error policy decides what becomes of it), keeps the records meeting every
 * `where` condition, and prints them whole (the line unchanged), as `fields`, or through `format`.
 * `objectsOnly: false` lets any value through when nothing needs a record (`json()` of `42`).
 * @internal
 * @example
 * ```ts
 * const p = recordProcessor('kv', (text) => Object.fromEntries([text.split(':')]), { where: ['a=1'] }, 'kv()');
 * ```
 */
export function recordProcessor(name: string, parse: (text: string) => unknown, options: RecordOptions, caller: string, objectsOnly = true): ProcessorObject {
  if (typeof options !== 'object' || options === null) throw optionError(`${caller}: options must be an object`);
  const where = (options.where ?? []).map((condition) => {
    const parsed = toCondition(condition, caller);
    return { field: parsed.field, test: compileCondition(parsed) };
  });
  const fields = [...new Set(options.fields ?? [])];
  for (const field of fields) {
    if (typeof field !== 'string' || field === '') throw optionError(`${caller}: fields must be non-empty strings, not ${JSON.stringify(field)}`);
  }
  if (options.format !== undefined && fields.length > 0) throw optionError(`${caller}: give fields or format, not both`);
  const render = options.format === undefined ? undefined : compileTemplate(options.format);
  const needsObject = objectsOnly || where.length > 0 || fields.length > 0 || render !== undefined;

  return {
    name,
    [STATELESS]: true,
    process(text) {
      const record = parse(text);
      if (!needsObject) return undefined;
      if (!isRecord(record)) throw new Error(`not a JSON object: ${preview(text)}`);
      for (const { field, test } of where) if (!test(lookup(record, field))) return null;
      if (render) return render(record, text);
      if (fields.length === 0) return undefined;
      return pick(record, fields);
    },
  };
}

/** The JSON of the selected fields, keyed by their paths, in the given order, missing ones left out. */
function pick(record: LogRecord, fields: readonly string[]): string {
  // Built by hand: an object literal would move integer-like keys such as "0" to the front.
  const parts: string[] = [];
  for (const field of fields) {
    const found = lookup(record, field);
    if (found !== undefined) parts.push(`${JSON.stringify(field)}:${JSON.stringify(found)}`);
  }
  return `{${parts.join(',')}}`;
}

/** A condition as given: a `--where` string, a `[field, value]` pair (`field=value`), or parsed. */
function toCondition(condition: string | readonly [string, string] | WhereCondition, caller: string): WhereCondition {
  if (typeof condition === 'string') return parseWhere(condition);
  if (Array.isArray(condition)) {
    const [field, value] = condition as readonly unknown[];
    if (typeof field === 'string' && field !== '' && typeof value === 'string') return { field, op: '=', value };
  } else if (typeof condition === 'object' && condition !== null) {
    const { field, op, value } = condition as Partial<WhereCondition>;
    if (typeof field === 'string' && field !== '' && typeof op === 'string' && typeof value === 'string') return parseWhere(`${field}${op}${value}`);
  }
  throw optionError(`${caller}: where must hold conditions ('level!=info') or [field, value] pairs of strings, not ${JSON.stringify(condition)}`);
}
