import type { Readable } from 'node:stream';
import type { Line } from './lines/line.js';
import { resolveOptions, type EngineOptions, type TailOptions } from './options.js';
import { optionError } from './errors.js';
import type { SourceSpec } from './session.js';
import { TailIterator } from './tail-iterator.js';

/**
 * What {@link tail} reads: a path (`'-'` is standard input), any `Readable` (its lines carry the
 * source `'-'`), a `{ name, stream }` pair to name a stream, or an array of these.
 */
export type TailInput = string | Readable | NamedStream | ReadonlyArray<string | Readable | NamedStream>;

/** A stream with the name its lines carry in `source`. */
export interface NamedStream {
  readonly name: string;
  readonly stream: Readable;
}

/**
 * The lines of a {@link tail}, as an async iterator. Iterate it once, per line (`for await … of`) or per
 * batch (`batches()`); leaving the loop in any way (end, `break`, `throw`, abort, `await using`) closes
 * every file, watcher and timer.
 */
export interface TailStream extends AsyncIterableIterator<Line>, AsyncDisposable {
  /**
   * The same lines in arrays, one per read: the fast way to consume many lines.
   *
   * @example
   * ```ts
   * for await (const batch of tail('app.log').batches()) process.stdout.write(batch.map((l) => l.text + '\n').join(''));
   * ```
   */
  batches(): AsyncIterableIterator<Line[]> & AsyncDisposable;
  /**
   * Opens every source now and resolves once each start position is fixed (iteration does this
   * itself on the first `next()`). Await it to be sure that data written afterwards counts as new.
   *
   * @example
   * ```ts
   * const lines = tail('app.log', { start: { lines: 0 } });
   * await lines.open();
   * await appendFile('app.log', 'hello\n'); // will be read
   * ```
   */
  open(): Promise<void>;
  /** Closes every file, watcher and timer; a pending `next()` then ends. Idempotent. */
  close(): Promise<void>;
  /**
   * Stops following: what the files hold now is still read (held partial lines included), then the
   * iteration ends normally. `tail -f --pid` uses it when the writer has exited.
   */
  stop(): void;
  /** Bytes read but not yet handed out as lines (unfinished lines, the current batch). */
  readonly bufferedBytes: number;
  /** Lines whose processor failed: reported (`log`, `pass`) or dropped silently (`skip`). */
  readonly processorFailures: { readonly failed: number; readonly skipped: number };
  /**
   * With a `checkpoint`: marks every line handed out so far as delivered now (the iteration does it by
   * itself when the next line or batch is asked for). A program that writes lines elsewhere calls it
   * once they are safely written.
   */
  commit(): void;
}

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
  return new TailIterator(toSpecs(input), opts);
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
