import type { Readable } from 'node:stream';
import { resolveOptions, type EngineOptions, type TailOptions } from './options.js';
import { optionError } from './errors.js';
import type { SourceSpec } from './session.js';
import { TailIterator } from './tail-iterator.js';
import { CheckpointedTail } from './checkpointed-tail.js';
import { refuseOwnInputs } from './checkpoint/preflight.js';
import type { NamedStream, TailInput, TailStream } from './tail-stream.js';

/**
 * Follows files (or streams) and yields their lines, like `tail -F`: by default the last 10 lines of
 * each file, then every line appended, across rotation, truncation, deletion and re-creation. Nothing
 * is opened until the first line is asked for.
 *
 * @example
 * ```ts
 * import { tail } from 'tail-async';
 *
 * for await (const line of tail('app.log')) {
 *   if (line.text.includes('ERROR')) console.log(line.text);
 * }
 * ```
 *
 * @example
 * ```ts
 * // The whole file, then stop: like `tail -n +1 app.log`.
 * for await (const line of tail('app.log', { start: { fromLine: 1 }, follow: false })) count++;
 * ```
 */
export function tail(input: TailInput, options?: TailOptions): TailStream {
  return openTail(input, options);
}

/** {@link tail} with the engine's internal options (the command's block mode). @internal */
export function openTail(input: TailInput, options?: EngineOptions): TailStream {
  const opts = resolveOptions(options);
  const specs = toSpecs(input);
  const checkpoint = opts.checkpoint;
  if (checkpoint === undefined) return new TailIterator(specs, opts);
  refuseOwnInputs(checkpoint, specs.flatMap((s) => ('path' in s ? [s.path] : [])), opts.glob);
  return new CheckpointedTail(specs, { ...opts, checkpoint });
}

function toSpecs(input: TailInput): SourceSpec[] {
  const items = Array.isArray(input) ? input : [input];
  if (items.length === 0) throw optionError('tail(): give at least one path or stream');
  return items.map((item: string | Readable | NamedStream): SourceSpec => {
    if (typeof item === 'string') {
      if (item === '') throw optionError('tail(): a path must not be empty');
      return { path: item };
    }
    if (isReadable(item)) return { name: '-', stream: item };
    if (item && typeof item === 'object' && typeof item.name === 'string' && isReadable(item.stream)) return item;
    throw optionError(`tail(): cannot read from ${String(item)}: give a path, a Readable or { name, stream }`);
  });
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).read === 'function' && typeof (value as Readable).on === 'function';
}
