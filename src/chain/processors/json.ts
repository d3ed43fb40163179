import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';

/** Options of {@link json}. */
export interface JsonOptions {
  /** Keeps only records where every dotted field path has a value whose `String(value)` is the given one. */
  readonly where?: ReadonlyArray<readonly [field: string, value: string]>;
  /** Replaces the line by an object of exactly these dotted field paths, in this order. */
  readonly fields?: readonly string[];
}

/**
 * A processor for JSON log lines. Each line is parsed; one that is not JSON, or not a JSON object when
 * `where` or `fields` is given, throws, and the chain's error policy decides what becomes of it.
 * `where` drops the records that do not match every `[field, value]` pair (a `null` or missing field never
 * matches). `fields` replaces the line by `JSON.stringify` of the selected fields, keyed by their paths,
 * in the given order, missing ones left out; without it the line goes on unchanged. A path such as
 * `req.status` is looked up as a key of that name first, then as `status` inside `req`.
 *
 * @example
 * ```ts
 * const errors = json({ where: [['level', 'error']], fields: ['time', 'msg', 'req.status'] });
 * errors.process('{"level":"error","time":1,"msg":"boom","req":{"status":500}}', ctx);
 * // '{"time":1,"msg":"boom","req.status":500}'
 * ```
 */
export function json(options: JsonOptions = {}): ProcessorObject {
  const where = (options.where ?? []).map(([field, value]) => {
    if (typeof field !== 'string' || field === '' || typeof value !== 'string') {
      throw optionError(`json(): where must be [field, value] pairs of strings, not ${JSON.stringify([field, value])}`);
    }
    return [field, value] as const;
  });
  const fields = [...new Set(options.fields ?? [])];
  for (const field of fields) {
    if (typeof field !== 'string' || field === '') throw optionError(`json(): fields must be non-empty strings, not ${JSON.stringify(field)}`);
  }
  const needsObject = where.length > 0 || fields.length > 0;

  return {
    name: 'json',
    process(text) {
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (error) {
        throw new Error(`not JSON: ${preview(text)}`, { cause: error });
      }
      if (!needsObject) return undefined;
      if (!isRecord(record)) throw new Error(`not a JSON object: ${preview(text)}`);
      for (const [field, value] of where) {
        const found = lookup(record, field);
        if (found === undefined || found === null || String(found) !== value) return null;
      }
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

/**
 * Parses the CLI's `--where FIELD=VALUE` (split at the first `=`; the value may be empty).
 *
 * @example
 * ```ts
 * parseWhere('req.status=500'); // ['req.status', '500']
 * parseWhere('msg=a=b');        // ['msg', 'a=b']
 * ```
 */
export function parseWhere(spec: string): readonly [string, string] {
  const at = spec.indexOf('=');
  if (at <= 0) throw optionError(`--where expects FIELD=VALUE, not '${spec}'`);
  return [spec.slice(0, at), spec.slice(at + 1)];
}

/**
 * Parses the CLI's `--fields a,b.c`: comma-separated field paths, trimmed; an empty one is an error.
 *
 * @example
 * ```ts
 * parseFields('level, msg ,req.status'); // ['level', 'msg', 'req.status']
 * ```
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
