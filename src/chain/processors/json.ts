import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';
import { recordProcessor, type RecordOptions } from '../records/processor.js';
import { preview } from '../records/fields.js';

/**
 * Options of {@link json}: which records to keep, and what to print of them.
 *
 * @example
 * ```ts
 * import { tail, json, type JsonOptions } from 'tail-async';
 *
 * const errors: JsonOptions = { where: ['level=error'], format: '{msg} ({req.status})' };
 * for await (const line of tail('app.log', { follow: false, processors: [json(errors)], onError: 'skip' })) console.log(line.text);
 * ```
 */
export type JsonOptions = RecordOptions;

/**
 * A processor for JSON log lines. Each line is parsed; one that is not JSON, or not a JSON object when
 * `where`, `fields` or `format` is given, throws, and the chain's error policy decides what becomes of it.
 * `where` drops the records that do not meet every condition (see `parseWhere` for the operators:
 * `=` and `!=` on text, `null` for a null or missing field, `<` `<=` `>` `>=` on numbers, `~` a regular
 * expression). `fields` replaces the line by `JSON.stringify` of the selected fields, keyed by their paths,
 * in the given order, missing ones left out; `format` by a template (`'{time} {level} {msg}'`, see
 * `format()`); without either the line goes on unchanged. A path such as `req.status` is looked up as
 * a key of that name first, then as `status` inside `req`.
 *
 * @example
 * ```ts
 * const errors = json({ where: ['level=error', 'req.status>=500'], fields: ['time', 'msg', 'req.status'] });
 * errors.process('{"level":"error","time":1,"msg":"boom","req":{"status":500}}', ctx);
 * // '{"time":1,"msg":"boom","req.status":500}'
 * ```
 */
export function json(options: JsonOptions = {}): ProcessorObject {
  return recordProcessor('json', parseJson, options, 'json()', false);
}

/**
 * A line as JSON; throws `not JSON: …` for one that is not.
 * @internal
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${preview(text)}`, { cause: error });
  }
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
