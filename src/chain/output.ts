import type { Emitted, ProcessorOutput } from './types.js';
import { timerDelay } from '../timer-delay.js';

/**
 * A processor call that threw, rejected, timed out or returned something outside the contract: a class
 * of its own, so that no processor output looks like one.
 * @internal
 */
export class Failure {
  constructor(readonly cause: unknown) {}
}

/**
 * The outcome of a call cut short because the run was interrupted (see `Chain.interrupt`): the line was
 * not processed. It is neither handed out nor passed by the checkpoint, and no failure.
 * @internal
 */
export const CUT: unique symbol = Symbol('tail-async.cut');

/** What one processor call gave: its output, its failure, or nothing, cut short ({@link CUT}). @internal */
export type Outcome = ProcessorOutput | Failure | typeof CUT;

/**
 * A processor's return value checked against the contract: the value itself when it is a string, `null`,
 * `undefined` or an array of strings and `{ text: string }` entries; otherwise a {@link Failure} that says
 * what was wrong (`[null]`, `[42]`, `[{}]`, `[{ text: 1 }]`, `42`, an object…). A thenable is not an
 * output: settle it first.
 * @internal
 * @example
 * ```ts
 * checkOutput(['a', { text: 'b' }]); // the array
 * checkOutput([null]);               // Failure: returned an array holding null at index 0 …
 * ```
 */
export function checkOutput(value: unknown): Outcome {
  if (value === undefined || value === null || typeof value === 'string') return value;
  if (!Array.isArray(value)) return new Failure(invalidOutput(value));
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    if (typeof entry === 'string') continue;
    if (typeof entry === 'object' && entry !== null && typeof (entry as { text?: unknown }).text === 'string') continue;
    const what = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? ('text' in entry ? 'an object whose text is not a string' : 'an object without text') : describe(entry);
    return new Failure(new TypeError(`returned an array holding ${what} at index ${i}; expected strings or { text: string } objects`));
  }
  return value as ReadonlyArray<string | Emitted>;
}

/** The error for a processor output outside the contract. @internal */
export function invalidOutput(value: unknown): TypeError {
  return new TypeError(`returned ${describe(value)}; expected a string, null, undefined or an array`);
}

/** True for a value with a callable `then` (a promise, or any thenable). @internal */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * The outcome of a thenable within `timeoutMs`: its value (unchecked), or a {@link Failure} when it
 * rejects, does not settle in time, settles to another thenable, or its `then` itself throws; {@link CUT}
 * as soon as `signal` is aborted (the run is interrupted).
 * @internal
 */
export function settle(result: PromiseLike<unknown>, timeoutMs: number, signal?: AbortSignal): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let done = false;
    const settled = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', cut);
      resolve(outcome);
    };
    const cut = () => settled(CUT);
    const timer = setTimeout(() => settled(new Failure(new Error(`did not settle within ${timeoutMs} ms`))), timerDelay(timeoutMs));
    // Its outcome is awaited even once cut: a rejection must not go unhandled.
    try {
      result.then(
        // resolve() would adopt a thenable: it is no valid output anyway.
        (value) => settled(isThenable(value) ? new Failure(invalidOutput(value)) : (value as ProcessorOutput)),
        (error: unknown) => settled(new Failure(error ?? new Error('rejected'))),
      );
    } catch (error) {
      settled(new Failure(error));
    }
    if (signal?.aborted) cut();
    else if (!done) signal?.addEventListener('abort', cut, { once: true });
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' || typeof value === 'bigint' ? `the number ${String(value)}` : `a ${typeof value}`;
}
