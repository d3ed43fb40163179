import type { Readable } from 'node:stream';
import type { Line } from './lines/line.js';
import type { PipeOptions, PipeResult, Sink } from './sinks/contract.js';

/**
 * What {@link tail} reads: a path (`'-'` is standard input: with `follow: 'descriptor'`, a regular file
 * there is followed after its end, as by `tail -f < file`), any `Readable` (its lines carry the source
 * `'-'`, and it is read to its end), a `{ name, stream }` pair to name a stream, or an array of these.
 *
 * @example
 * ```ts
 * const lines = tail(['app.log', 'logs/*.log', { name: 'stdin', stream: process.stdin }], { follow: false });
 * ```
 */
export type TailInput = string | Readable | NamedStream | ReadonlyArray<string | Readable | NamedStream>;

/**
 * A stream with the name its lines carry in `source`.
 *
 * @example
 * ```ts
 * import { Readable } from 'node:stream';
 * const stream = Readable.from(['first\n', 'second\n']);
 * for await (const line of tail({ name: 'memory', stream })) console.log(line.source, line.text); // memory first …
 * ```
 */
export interface NamedStream {
  readonly name: string;
  readonly stream: Readable;
}

/**
 * Options of {@link TailStream.stop}.
 *
 * @example
 * ```ts
 * const lines = tail('app.log');
 * process.once('SIGTERM', () => lines.stop({ now: true })); // at once, as the command does on a signal
 * for await (const line of lines) console.log(line.text);
 * ```
 */
export interface StopOptions {
  /** Stop at once, cutting the processors' work in progress short (see {@link TailStream.stop}). Default false. */
  readonly now?: boolean;
}

/**
 * The lines of a {@link tail}, as an async iterator. Iterate it once, per line (`for await … of`) or per
 * batch (`batches()`); leaving the loop in any way (end, `break`, `throw`, abort, `await using`) closes
 * every file, watcher and timer.
 *
 * @example
 * ```ts
 * await using lines = tail('app.log', { start: { lines: 0 } });
 * for await (const line of lines) {
 *   if (line.text === 'shutdown') break; // closes every file, watcher and timer
 * }
 * ```
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
   *
   * With `{ now: true }`, stops at once instead (what a signal handler wants): nothing more is read, and
   * the processors' work in progress is cut short: a wait for an async processor ends, a plugin in a
   * worker thread has its thread ended (also when it is stuck in a synchronous loop). The lines that
   * every processor had finished are still handed out, then the iteration ends normally. The line a
   * processor was working on and those after it are not handed out, and the checkpoint stays before
   * them: the next run with the same checkpoint reads them again (at least once; a plugin may see them
   * twice). The processors' `close()` is then awaited briefly (a plugin's, a quarter of a second).
   *
   * @example
   * ```ts
   * const lines = tail('app.log', { checkpoint: 'tail.state', processors: [await loadPlugin('./enrich.mjs')] });
   * process.once('SIGTERM', () => lines.stop({ now: true }));
   * for await (const batch of lines.batches()) process.stdout.write(batch.map((l) => l.text + '\n').join(''));
   * // After a SIGTERM: the lines finished before it were written, and the state file is saved.
   * ```
   */
  stop(options?: StopOptions): void;
  /** Bytes read but not yet handed out as lines (unfinished lines, the current batch). */
  readonly bufferedBytes: number;
  /** Lines whose processor failed: reported (`log`, `pass`) or dropped silently (`skip`). */
  readonly processorFailures: { readonly failed: number; readonly skipped: number };
  /**
   * With a `checkpoint`: says that the consumer is done with lines (shipped them, wrote them safely), so
   * that the next run does not deliver them again.
   *
   * - `commit()` commits every line handed out so far.
   * - `commit(line)` and `commit(batch)` commit that line, or those lines (a batch from `batches()`, or
   *   any array of lines handed out). Lines already committed, and lines not from this stream, are ignored.
   *
   * A file's position in the checkpoint advances over its lines in the order they were handed out, and
   * only as far as they are all committed: a commit of a later line or batch waits for the earlier ones
   * of the same file, and applies once they are committed too (files do not wait for each other). Lines
   * the processors filtered out count as committed with the next line committed after them, or once all
   * of their batch is; lines a stateful processor still holds (a multi-line event) never do.
   *
   * By default (`autoCommit: true`), asking for the next line or batch commits every line handed out
   * before it, so a plain loop needs no `commit()`; leaving the loop (`break`, `return`, a throw in its
   * body) never commits the line or batch in hand. With `autoCommit: false` only `commit()` does. Commits
   * after the stream closed (at the end of the input, or on leaving the loop) are ignored.
   *
   * @example
   * ```ts
   * // Ship batches concurrently; each one counts once its shipment is acknowledged, whatever the order.
   * const lines = tail('app.log', { checkpoint: 'tail.state', autoCommit: false });
   * for await (const batch of lines.batches()) {
   *   void ship(batch).then(() => lines.commit(batch));
   * }
   * ```
   */
  commit(upTo?: Line | readonly Line[]): void;
  /**
   * Ships every line to `sink` (Redis Streams, NATS JetStream, or a {@link Sink} of your own) and resolves,
   * at the end of the input (without follow, or after `stop()`), with what was shipped. The sink is opened
   * first: if the engine cannot be reached, nothing is read and it rejects with a {@link SinkError}
   * (`ERR_SINK_OPEN`).
   *
   * - At most `maxInFlight` batches (default 4) are sent and not yet acknowledged; while they are out, or
   *   while a failed batch is retried, nothing more is read (a file keeps its data, memory stays bounded).
   * - A batch counts as delivered once the engine acknowledged all its lines: with a `checkpoint`, each
   *   file's saved position advances over the contiguous prefix of acknowledged lines only (`autoCommit`
   *   does not apply). So after a crash, a `kill -9` or an outage nothing is lost; lines shipped but not
   *   yet saved are shipped again (sinks make those replays idempotent where the engine allows).
   * - A failed send is retried (same batch, oldest first) with capped exponential backoff and jitter,
   *   for ever by default; `onOutage` hears the start and the end of the outage. Past `retry.retries`,
   *   it rejects with a {@link SinkError} (`ERR_SINK_RETRIES`): lines are never dropped.
   * - Every way out (the end, a failure, `options.signal`, `close()`) closes the tail and the sink.
   *
   * @example
   * ```ts
   * import { tail, redisSink } from 'tail-async';
   *
   * const sink = redisSink({ connection: 'redis://127.0.0.1:6379/0', stream: 'logs:{host}:{file}' });
   * const lines = tail('/var/log/app.log', { checkpoint: '/var/lib/shipper/tail.state' });
   * const shipped = await lines.pipeTo(sink, { onOutage: (event) => console.error(event.message) });
   * ```
   */
  pipeTo(sink: Sink, options?: PipeOptions): Promise<PipeResult>;
}
