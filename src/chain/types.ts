import type { Line } from '../lines/line.js';

/**
 * What a processor knows about the line it is given.
 *
 * @example
 * ```ts
 * const tagSource: Processor = (text, ctx) => `[${ctx.source}:${ctx.lineNumber}] ${text}`;
 * ```
 */
export interface LineContext {
  /** The source of the line (path, or `-`). */
  readonly source: string;
  /** Its line number within the source. */
  readonly lineNumber: number;
  /** Byte offset of the line in its source. */
  readonly offset: number;
  /** Byte offset just past the line's terminator. */
  readonly end: number;
  /** The line as it was read, before any processor changed it. */
  readonly line: Line;
}

/**
 * A line a processor emits on behalf of earlier lines (a joined multi-line event, say): its position is
 * taken from `first` (offset, line number) to `last` (end; defaults to `first`).
 *
 * @example
 * ```ts
 * let first: LineContext | undefined;
 * const pairs: Processor = (text, ctx) => {
 *   if (!first) return void (first = ctx), null; // hold the first line of a pair
 *   const out: Emitted = { text: `${first.line.text} | ${text}`, first, last: ctx };
 *   first = undefined;
 *   return [out]; // one line placed from the first line of the pair to the second
 * };
 * ```
 */
export interface Emitted {
  readonly text: string;
  readonly first: LineContext;
  readonly last?: LineContext;
}

/**
 * What a processor returns for a line: a `string` replaces it, `null` drops it, `undefined` keeps it
 * unchanged, an array expands it into several lines (strings take the line's position; {@link Emitted}
 * items carry their own).
 *
 * @example
 * ```ts
 * const split = (text: string): ProcessorOutput => (text.includes(';') ? text.split(';') : undefined);
 * ```
 */
export type ProcessorOutput = string | null | undefined | void | ReadonlyArray<string | Emitted>;

/**
 * A processor as a plain function, sync or async.
 *
 * @example
 * ```ts
 * const tag: ProcessorFunction = (text, ctx) => `${ctx.source}:${ctx.lineNumber}: ${text}`;
 * const lookUp: ProcessorFunction = async (text) => `${text} (${await Promise.resolve('enriched')})`;
 * for await (const line of tail('app.log', { processors: [tag, lookUp] })) console.log(line.text);
 * ```
 */
export type ProcessorFunction = (text: string, ctx: LineContext) => ProcessorOutput | PromiseLike<ProcessorOutput>;

/**
 * A processor with a name (used in error reports) and, for stateful ones, `flush` and `close`.
 *
 * @example
 * ```ts
 * let seen = 0;
 * const counter: ProcessorObject = {
 *   name: 'counter',
 *   process() { seen++; },
 *   flush(reason) { return reason === 'end' ? [`${seen} lines`] : []; },
 * };
 * ```
 */
export interface ProcessorObject {
  /** Shown in error reports. */
  readonly name: string;
  process: ProcessorFunction;
  /**
   * Emits what the processor holds. Called with `'idle'` after `idleFlushMs` without input (only when
   * `idleFlushMs` is set), and with `'end'` when the input ends. Plain strings take the position of
   * the last line this processor was given.
   */
  flush?(reason: 'idle' | 'end'): ReadonlyArray<string | Emitted> | void | PromiseLike<ReadonlyArray<string | Emitted> | void>;
  /**
   * For a stateful processor: the first line it holds for `source`, or undefined if it holds none.
   * Checkpoints use it to resume before held lines; a stateful processor without it makes checkpoints
   * advance only with the lines it emits.
   */
  pending?(source: string): LineContext | undefined;
  /** Milliseconds without input after which `flush('idle')` is called. */
  readonly idleFlushMs?: number;
  /** Releases what the processor holds open; called once when the stream is closed. */
  close?(): void | PromiseLike<void>;
  readonly [key: string]: unknown;
}

/**
 * A step of the processing chain: a function or an object. See {@link ProcessorOutput} for what it returns.
 *
 * @example
 * ```ts
 * const upper: Processor = (text) => text.toUpperCase();
 * const onlyErrors: Processor = (text) => (text.includes('ERROR') ? undefined : null);
 * for await (const line of tail('app.log', { processors: [onlyErrors, upper] })) console.log(line.text);
 * ```
 */
export type Processor = ProcessorFunction | ProcessorObject;

/**
 * What happens to a line whose processor throws, rejects or times out:
 * `'log'` reports it and drops the line (default), `'pass'` reports it and lets the line go on unchanged,
 * `'skip'` drops it silently (counted), `'stop'` ends the stream with the error.
 *
 * @example
 * ```ts
 * const onError: ErrorPolicy = process.env.STRICT ? 'stop' : 'log';
 * tail('app.log', { processors: [(text) => { JSON.parse(text); }], onError });
 * ```
 */
export type ErrorPolicy = 'log' | 'pass' | 'skip' | 'stop';
