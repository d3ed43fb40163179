/**
 * Reading fields of a record (a parsed JSON, logfmt or regex line) by dotted path.
 */

/** A parsed line: field names to values. @internal */
export type LogRecord = Record<string, unknown>;

/**
 * The value of `record` at a dotted `path`: the key `path` itself if it has one, else the nested one.
 * @internal
 * @example
 * ```ts
 * lookup({ req: { status: 500 } }, 'req.status'); // 500
 * ```
 */
export function lookup(record: LogRecord, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A plain object (not null, not an array). @internal */
export function isRecord(value: unknown): value is LogRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The start of a line, for an error message. @internal */
export function preview(text: string): string {
  const chars = Array.from(text.slice(0, 80)).slice(0, 40).join('');
  return chars.length < text.length ? `${chars}…` : chars;
}
