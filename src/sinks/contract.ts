import type { Line } from '../lines/line.js';

/**
 * Where shipped lines go: a distributed engine (Redis Streams, NATS JetStream; a Kafka producer would
 * fit the same shape). {@link TailStream.pipeTo} drives it: `open()` once before anything is read,
 * `send()` for each batch (several may be in flight at once, in the order read), `close()` on every way
 * out.
 *
 * `send(batch)` resolves only once the engine has acknowledged every line of the batch (stored it:
 * Redis replied to each XADD, JetStream sent a PubAck). It may be called again with the same batch after
 * it rejected (a retry): lines that did reach the engine the first time should not be stored twice —
 * that is what {@link SinkLine.key} is for. A rejection with an error whose `retryable` is `false` is not
 * retried.
 *
 * @example
 * ```ts
 * // A sink that stores lines in memory (tests, or the skeleton of a new engine).
 * const stored: string[] = [];
 * const memory: Sink = {
 *   name: 'memory',
 *   async send(batch) {
 *     for (const { line } of batch) stored.push(line.text);
 *   },
 *   async close() {},
 * };
 * await tail('app.log', { checkpoint: 'tail.state', follow: false }).pipeTo(memory);
 * ```
 */
export interface Sink {
  /** How messages name it: a URL without credentials, for example. */
  readonly name: string;
  /**
   * Lines it takes in one `send()` at most, when `pipeTo` is not given `maxBatchLines`: an engine that
   * stores each line as a request of its own (JetStream with one line a message) asks for fewer than
   * the default 1 000, so that what the client holds for requests in flight stays small.
   */
  readonly batchLines?: number;
  /** Connects; rejects when the engine cannot be reached (then nothing is read). */
  open?(): Promise<void>;
  /** Stores the batch; resolves once every line is acknowledged. */
  send(batch: readonly SinkLine[]): Promise<SendResult | void>;
  /** Disconnects. Called once, whatever ended the run (also after `open()` failed). */
  close(): Promise<void>;
}

/**
 * What a sink can tell of a batch it stored.
 *
 * @example
 * ```ts
 * const seen = new Set<string>();
 * const dedupe: Sink = {
 *   name: 'dedupe',
 *   async send(batch): Promise<SendResult> {
 *     const fresh = batch.filter(({ key }) => key === undefined || !seen.has(key));
 *     for (const { key } of fresh) if (key !== undefined) seen.add(key);
 *     return { duplicates: batch.length - fresh.length };
 *   },
 *   async close() {},
 * };
 * ```
 */
export interface SendResult {
  /** Lines the engine already held (a replay after a crash or a retry), and did not store again. */
  readonly duplicates?: number;
}

/**
 * A file as it is known across runs and renames: its identity `(dev, ino)` and birth time (inode numbers
 * are reused once a file is gone; 0 where the file system keeps no birth time).
 *
 * @example
 * ```ts
 * const sameFile = (a: FileIdentity, b: FileIdentity) => a.dev === b.dev && a.ino === b.ino && a.born === b.born;
 * ```
 */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  /** Birth time in ms since the epoch (with sub-millisecond digits), or 0. */
  readonly born: number;
}

/**
 * One line as a sink gets it: the line, and what names it whatever run ships it.
 *
 * @example
 * ```ts
 * const send = async (batch: readonly SinkLine[]) => {
 *   for (const { line, host, key } of batch) console.log(host, line.source, line.offset, key, line.text);
 * };
 * ```
 */
export interface SinkLine {
  readonly line: Line;
  /** The host name given to `pipeTo` (default: `os.hostname()`). */
  readonly host: string;
  /** The file the line was read from; undefined for a stream (standard input). */
  readonly file: FileIdentity | undefined;
  /**
   * Counts, within this run, the times this file went back to an earlier offset (truncated in place,
   * copytruncate): 0, then 1… Lines at the same offset of different epochs are different lines.
   */
  readonly epoch: number;
  /** 0, or for lines a processor expanded one input line into, their place among them (0, 1, 2…). */
  readonly part: number;
  /**
   * Names this line: host, file identity, epoch, offset and part. The same line read again by a later
   * run (after a crash, from the checkpoint) has the same key, as long as the epoch is the same (0 after
   * a restart); undefined for a stream. Engines deduplicate with it (JetStream `Nats-Msg-Id`).
   */
  readonly key: string | undefined;
}

/**
 * How a failed send is retried: capped exponential backoff with jitter.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { retries: 5, minDelay: 200, maxDelay: 5_000 };
 * await tail('app.log', { checkpoint: 'tail.state', follow: false }).pipeTo(sink, { retry });
 * ```
 */
export interface RetryOptions {
  /** Retries of one batch before {@link SinkError} `ERR_SINK_RETRIES` (default `Infinity`: wait for the engine). */
  readonly retries?: number;
  /** Delay before the first retry, in ms (default 100); it doubles at each retry… */
  readonly minDelay?: number;
  /**
   * …up to this (default 1 000: while the engine is down, a retry fails in the client without touching
   * the network, so it is cheap, and the engine's return is noticed within about a second). Each delay
   * is drawn between half of it and all of it.
   */
  readonly maxDelay?: number;
}

/**
 * Options of {@link TailStream.pipeTo}.
 *
 * @example
 * ```ts
 * await tail('app.log', { checkpoint: 'tail.state' }).pipeTo(sink, {
 *   maxInFlight: 4,
 *   retry: { retries: 10, minDelay: 200, maxDelay: 10_000 },
 *   onOutage: (event) => console.error(event.message),
 *   signal: AbortSignal.timeout(60_000),
 * });
 * ```
 */
export interface PipeOptions {
  /**
   * Batches sent and not yet acknowledged, at most (default 4). When they are all out, the next read is
   * made and waits, ready to go; reading then waits.
   */
  readonly maxInFlight?: number;
  /**
   * Lines a batch holds at most (default: the sink's `batchLines`, else 1 000); a read larger than that
   * is sent in several batches. While shipping, a read holds about `maxInFlight × maxBatchLines` lines
   * (16 KiB at least, the tail's `readSize` at most): lines held are thus at most `maxInFlight ×
   * maxBatchLines` in flight, and one read of about as many. Larger batches make the process larger
   * (what is in flight outlives more garbage collections), and with Redis were no faster here.
   */
  readonly maxBatchLines?: number;
  readonly retry?: RetryOptions;
  /** The host name lines carry (default `os.hostname()`). */
  readonly host?: string;
  /**
   * Stops shipping: no more lines are read, batches in flight get `drainTimeout` ms to be acknowledged
   * (and committed), then everything is closed and `pipeTo` rejects with an `AbortError` (code `ABORT_ERR`).
   */
  readonly signal?: AbortSignal;
  /** See `signal`; default 2 000 ms. */
  readonly drainTimeout?: number;
  /** Told once when sends start failing (the engine is down or unreachable), and once when one works again. */
  readonly onOutage?: (event: OutageEvent) => void;
}

/**
 * The start (`down`) or end (`up`) of a time when the engine did not acknowledge what was sent.
 *
 * @example
 * ```ts
 * const onOutage = (event: OutageEvent) => {
 *   if (event.type === 'down') console.error(`shipping paused: ${event.message}`);
 *   else console.error(`shipping resumed after ${event.downMs} ms`);
 * };
 * await tail('app.log', { checkpoint: 'tail.state', follow: false }).pipeTo(sink, { onOutage });
 * ```
 */
export type OutageEvent =
  | { readonly type: 'down'; readonly sink: string; readonly error: unknown; readonly message: string }
  | { readonly type: 'up'; readonly sink: string; readonly downMs: number; readonly message: string };

/**
 * What {@link TailStream.pipeTo} shipped.
 *
 * @example
 * ```ts
 * const result: PipeResult = await tail('app.log', { checkpoint: 'tail.state', follow: false }).pipeTo(sink);
 * console.log(`${result.lines} lines in ${result.batches} batches, ${result.duplicates} already there`);
 * ```
 */
export interface PipeResult {
  /** Lines acknowledged by the engine (and committed). */
  readonly lines: number;
  /** Batches acknowledged. */
  readonly batches: number;
  /** Lines the sink said it already held (see {@link SendResult}). */
  readonly duplicates: number;
  /** Sends that failed and were tried again. */
  readonly retries: number;
  /** Times the engine went down (see {@link OutageEvent}). */
  readonly outages: number;
}
