import type { Readable } from 'node:stream';
import type { Line } from './lines/line.js';

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
