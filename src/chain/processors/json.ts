import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';
import { STATELESS } from '../prefilter.js';
import { compileCondition, parseWhere, type WhereCondition } from './where.js';

/** Options of {@link json}. */
export interface JsonOptions {
  /**
   * Keeps only records that meet every condition: a string as the command line's `--where` takes it
   * (`'level!=info'`, `'status>=500'`, `'msg~^timeout'`, `'user=null'`), or a `[field, value]` pair,
   * which means `field=value`.
   */
  readonly where?: ReadonlyArray<string | readonly [field: string, value: string] | WhereCondition>;
  /** Replaces the line by an object of exactly these dotted field paths, in this order. */
  readonly fields?: readonly string[];
}

/**
 * A processor for JSON log lines. Each line is parsed; one that is not JSON, or not a JSON object when
 * `where` or `fields` is given, throws, and the chain's error policy decides what becomes of it.
 * `where` drops the records that do not meet every condition (see {@link parseWhere} for the operators:
 * `=` and `!=` on text, `null` for a null or missing field, `<` `<=` `>` `>=` on numbers, `~` a regular
 * expression). `fields` replaces the line by `JSON.stringify` of the selected fields, keyed by their paths,
 * in the given order, missing ones left out; without it the line goes on unchanged. A path such as
 * `req.status` is looked up as a key of that name first, then as `status` inside `req`.
 *
 * @example
 * ```ts
 * const errors = json({ where: ['level=error', 'req.status>=500'], fields: ['time', 'msg', 'req.status'] });
 * errors.process('{"level":"error","time":1,"msg":"boom","req":{"status":500}}', ctx);
 * // '{"time":1,"msg":"boom","req.status":500}'
 * ```
 */
export function json(options: JsonOptions = {}): ProcessorObject {
  const where = (options.where ?? []).map((condition) => {
    const parsed = toCondition(condition);
    return { field: parsed.field, test: compileCondition(parsed) };
  });
  const fields = [...new Set(options.fields ?? [])];
  for (const field of fields) {
    if (typeof field !== 'string' || field === '') throw optionError(`json(): fields must be non-empty strings, not ${JSON.stringify(field)}`);
  }
  const needsObject = where.length > 0 || fields.length > 0;

  return {
    name: 'json',
    [STATELESS]: true,
    process(text) {
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (error) {
        throw new Error(`not JSON: ${preview(text)}`, { cause: error });
      }
      if (!needsObject) return undefined;
      if (!isRecord(record)) throw new Error(`not a JSON object: ${preview(text)}`);
      for (const { field, test } of where) if (!test(lookup(record, field))) return null;
      if (fields.length === 0) return undefined;
      // Built by hand: an object literal would move integer-like keys such as "0" to the front.
      const parts: string[] = [];
      for (const field of fields) {
        const found = lookup(record, field);
        if (found !== undefined) parts.push(`${JSON.stringify(field)}:${JSON.stringify(found)}`);
      }
      return `{${parts.join(',')}}`;
    },
  };
}

/** A condition of `json({ where })` as given: a `--where` string, a `[field, value]` pair (`field=value`), or parsed. */
function toCondition(condition: string | readonly [string, string] | WhereCondition): WhereCondition {
  if (typeof condition === 'string') return parseWhere(condition);
  if (Array.isArray(condition)) {
    const [field, value] = condition as readonly unknown[];
    if (typeof field === 'string' && field !== '' && typeof value === 'string') return { field, op: '=', value };
  } else if (typeof condition === 'object' && condition !== null) {
    const { field, op, value } = condition as Partial<WhereCondition>;
    if (typeof field === 'string' && field !== '' && typeof op === 'string' && typeof value === 'string') return parseWhere(`${field}${op}${value}`);
  }
  throw optionError(`json(): where must hold conditions ('level!=info') or [field, value] pairs of strings, not ${JSON.stringify(condition)}`);
}

/**
 * Parses the CLI's `--fields a,b.c`: comma-separated field paths, trimmed; an empty one is an error.
 *
 * @example
 * ```ts
 * parseFields('level, msg ,req.status'); // ['level', 'msg', 'req.status']
 * ```
 * @internal
 */
export function parseFields(spec: string): string[] {
  const fields = spec.split(',').map((field) => field.trim());
  if (fields.some((field) => field === '')) {
    throw optionError(`--fields expects a comma-separated list of field names, not '${spec}'`);
  }
  return fields;
}

/** A value of `record` at a dotted `path`: the key `path` itself if it has one, else the nested one. */
function lookup(record: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The start of a line, for an error message. */
function preview(text: string): string {
  const chars = Array.from(text.slice(0, 80)).slice(0, 40).join('');
  return chars.length < text.length ? `${chars}…` : chars;
}
