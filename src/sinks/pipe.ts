import { hostname } from 'node:os';
import type { Line } from '../lines/line.js';
import type { ReadChunk } from '../lines/chunk.js';
import type { Origin } from '../sources/resume.js';
import { abortError, optionError, SinkError } from '../errors.js';
import { timerDelay } from '../timer-delay.js';
import type { PipeOptions, PipeResult, SendResult, Sink, SinkLine } from './contract.js';
import { Outages } from './outage.js';
import { LineNames } from './identity.js';
import { backoff, pause, retryPolicy, type RetryPolicy } from './retry.js';
import { describeSinkError } from './describe.js';
import { ABORTED, untilAborted } from './abortable.js';

/**
 * What {@link pipe} needs of a tail: its batches, handed out without committing anything, kept open at
 * the end of the input until `close()` (so that batches still in flight can be committed), and where
 * each line was read from.
 * @internal
 */
export interface ShippingSource {
  batches(): AsyncIterator<Line[], unknown>;
  /** For the batch last handed out (asked before the next one is): the file line i was read from (undefined for a stream). */
  originOf(batch: readonly Line[]): (i: number) => Origin | undefined;
  /** For the batch last handed out: the bytes it was framed from, when it is one read of a file as read (no processors). */
  chunkOf(batch: readonly Line[]): ReadChunk | undefined;
  /** Reads hold about `lines` lines at most from now on (what is read ahead of the batches in flight). */
  limitReads(lines: number): void;
  /** Lines `from` to `to` (excluded) of a batch as handed out are acknowledged: they count as delivered. */
  commit(batch: readonly Line[], from: number, to: number): void;
  close(): Promise<void>;
}

/**
 * Ships a tail's batches to a sink (see `TailStream.pipeTo`), in parts of at most `maxBatchLines` lines:
 * at most `maxInFlight` of them sent and not yet acknowledged, and no reading while they are out; each batch committed once acknowledged (the
 * checkpoint then advances over the contiguous prefix of acknowledged lines of each file); a failed send
 * retried with capped exponential backoff and jitter, one batch at a time and in the order they were
 * read, while nothing new is read. The sink is opened before the tail, and both are closed on every way
 * out.
 * @internal
 * @example
 * ```ts
 * const result = await pipe(source, sink, { maxInFlight: 4 }); // { lines, batches, duplicates, retries, outages }
 * ```
 */
export async function pipe(source: ShippingSource, sink: Sink, options: PipeOptions = {}): Promise<PipeResult> {
  return new Shipment(source, sink, options).run();
}

/** Lines `from` to `to` (excluded) of a batch read: what one send ships, and is committed together. */
interface Part {
  readonly batch: readonly Line[];
  readonly from: number;
  readonly to: number;
  /** The records of those lines. */
  readonly records: readonly SinkLine[];
}

/** One run of {@link pipe}. */
class Shipment {
  private readonly source: ShippingSource;
  private readonly sink: Sink;
  private readonly maxInFlight: number;
  private readonly maxBatchLines: number;
  private readonly policy: RetryPolicy;
  private readonly names: LineNames;
  private readonly signal: AbortSignal | undefined;
  private readonly drainTimeout: number;
  private readonly outages: Outages;
  private readonly counts = { lines: 0, batches: 0, duplicates: 0, retries: 0 };
  /** Deliveries under way (first attempt and retries); they never reject. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Retries run one batch at a time, in the order the batches failed (which is the order they were read). */
  private lane: Promise<void> = Promise.resolve();
  /** Batches waiting in, or going through, the retry lane: while there are any, nothing new is read. */
  private recovering = 0;
  /** What ends the run with an error (the first one). */
  private failure: unknown;
  /** Stops retries and waits: on failure, or when the signal aborts. */
  private readonly stop = new AbortController();
  /** Wakes {@link room} when a delivery ends. */
  private freed: (() => void) | undefined;

  constructor(source: ShippingSource, sink: Sink, options: PipeOptions) {
    if (typeof options !== 'object' || options === null) throw optionError('pipeTo(): options must be an object');
    if (typeof sink !== 'object' || sink === null || typeof sink.send !== 'function' || typeof sink.close !== 'function') {
      throw optionError('pipeTo(): the sink must be an object with send() and close() methods');
    }
    const { maxInFlight = 4, maxBatchLines = sink.batchLines ?? 1_000, drainTimeout = 2_000 } = options;
    if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) throw optionError(`pipeTo(): maxInFlight must be a whole number >= 1, not ${maxInFlight}`);
    if (!Number.isSafeInteger(maxBatchLines) || maxBatchLines < 1) {
      throw optionError(`pipeTo(): ${options.maxBatchLines === undefined ? "the sink's batchLines" : 'maxBatchLines'} must be a whole number >= 1, not ${maxBatchLines}`);
    }
    if (!Number.isFinite(drainTimeout) || drainTimeout < 0) throw optionError(`pipeTo(): drainTimeout must be a number of ms >= 0, not ${drainTimeout}`);
    this.source = source;
    this.sink = sink;
    this.maxInFlight = maxInFlight;
    this.maxBatchLines = maxBatchLines;
    this.policy = retryPolicy(options.retry);
    this.names = new LineNames(options.host ?? hostname());
    this.signal = options.signal;
    this.drainTimeout = drainTimeout;
    this.outages = new Outages(sink.name, options.onOutage);
  }

  async run(): Promise<PipeResult> {
    const onAbort = () => this.stop.abort();
    this.signal?.addEventListener('abort', onAbort, { once: true });
    let error: unknown;
    try {
      if (this.signal?.aborted) throw abortError(this.signal);
      // A connection that takes long (an address that does not answer) must not hold up a stop.
      const opened = this.open();
      if ((await untilAborted(opened, this.stop.signal)) === ABORTED) {
        opened.catch(() => {});
        throw abortError(this.signal!);
      }
      await this.ship();
      await this.settle();
      if (this.failure !== undefined) throw this.failure;
      if (this.signal?.aborted) throw abortError(this.signal);
      return { ...this.counts, outages: this.outages.count };
    } catch (e) {
      error = e;
      throw e;
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
      this.stop.abort();
      // Both are closed whatever happened; a failure to close counts only when nothing else went wrong.
      const closed = await Promise.allSettled([this.source.close(), this.sink.close()]);
      const unclosed = closed.find((c) => c.status === 'rejected');
      if (error === undefined && unclosed) throw unclosed.reason;
    }
  }

  private async open(): Promise<void> {
    try {
      await this.sink.open?.();
    } catch (error) {
      throw new SinkError(`cannot open '${this.sink.name}' for shipping: ${describeSinkError(error)}`, { code: 'ERR_SINK_OPEN', sink: this.sink.name, cause: error });
    }
  }

  /** Waits until a batch may be sent: fewer than maxInFlight out, none being retried. False when stopping. */
  private async room(): Promise<boolean> {
    while (!this.stop.signal.aborted && (this.inFlight.size >= this.maxInFlight || this.recovering > 0)) {
      await untilAborted(new Promise<void>((resolve) => (this.freed = resolve)), this.stop.signal);
    }
    return !this.stop.signal.aborted;
  }

  /**
   * Reads batches and sends them, as long as there is room in flight, until the end, a failure or the
   * signal. A read is made as soon as the one before is sent, and then waits for room: a batch is ready
   * when an acknowledgment makes room (measured: reading only once there was room left the engine waiting
   * while the next batch was read and framed, and fewer batches were in flight on average). Lines held
   * are thus at most `maxInFlight × maxBatchLines` in flight, and one read of about as many.
   */
  private async ship(): Promise<void> {
    // A read is held while its parts go out: no larger than what may be in flight.
    this.source.limitReads(this.maxInFlight * this.maxBatchLines);
    const batches = this.source.batches();
    for (;;) {
      const next = batches.next();
      let result: IteratorResult<Line[], unknown> | typeof ABORTED;
      try {
        result = await untilAborted(next, this.stop.signal);
      } catch (error) {
        // A file could not be read: what is in flight still counts, then the run ends with it.
        this.fail(error);
        return;
      }
      if (result === ABORTED) {
        // The pending read ends when the source is closed; what it gives then is not shipped.
        next.catch(() => {});
        return;
      }
      if (result.done) return;
      const batch = result.value;
      const records = this.names.of(batch, this.source.originOf(batch), this.source.chunkOf(batch));
      // A read may hold thousands of lines: sent in parts, so that what is in flight stays small.
      for (let from = 0; from < batch.length; from += this.maxBatchLines) {
        if (!(await this.room())) return;
        const to = Math.min(from + this.maxBatchLines, batch.length);
        this.send({ batch, from, to, records: from === 0 && to === batch.length ? records : records.slice(from, to) });
      }
    }
  }

  /** Starts delivering one part; room() is woken when it ends. */
  private send(part: Part): void {
    const delivery = this.deliver(part);
    this.inFlight.add(delivery);
    void delivery.finally(() => {
      this.inFlight.delete(delivery);
      const wake = this.freed;
      this.freed = undefined;
      wake?.();
    });
  }

  /** Waits for the deliveries in flight: all of them at the end of the input, at most `drainTimeout` when stopping. */
  private async settle(): Promise<void> {
    const all = Promise.all(this.inFlight).then(() => this.lane);
    if (!this.stop.signal.aborted) await untilAborted(all, this.stop.signal);
    if (!this.stop.signal.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, timerDelay(this.drainTimeout))))]);
    clearTimeout(timer);
  }

  /** Sends a part until it is acknowledged (retrying in the lane), the run fails, or it stops. Never rejects. */
  private async deliver(part: Part): Promise<void> {
    if (await this.attempt(part)) return;
    this.recovering++;
    const turn = this.lane.then(() => this.retry(part));
    this.lane = turn;
    try {
      await turn;
    } finally {
      this.recovering--;
    }
  }

  private async retry(part: Part): Promise<void> {
    for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
      if (attempt > this.policy.retries) {
        const reason = describeSinkError(this.lastError);
        this.fail(new SinkError(`cannot ship to '${this.sink.name}': ${reason} (gave up after ${this.policy.retries} ${this.policy.retries === 1 ? 'retry' : 'retries'})`, { code: 'ERR_SINK_RETRIES', sink: this.sink.name, cause: this.lastError }));
        return;
      }
      await pause(backoff(attempt, this.policy), this.stop.signal);
      if (this.stop.signal.aborted) return;
      this.counts.retries++;
      if (await this.attempt(part)) return;
    }
  }

  private lastError: unknown;

  /** One send; true once acknowledged (and committed). */
  private async attempt(part: Part): Promise<boolean> {
    let result: SendResult | void;
    try {
      result = await this.sink.send(part.records);
    } catch (error) {
      this.lastError = error;
      if ((error as { retryable?: unknown } | null)?.retryable === false) {
        this.fail(new SinkError(`'${this.sink.name}' refused the lines: ${describeSinkError(error)}`, { code: 'ERR_SINK_REJECTED', sink: this.sink.name, cause: error }));
      } else if (!this.stop.signal.aborted) this.outages.down(error);
      return false;
    }
    this.source.commit(part.batch, part.from, part.to);
    this.counts.lines += part.to - part.from;
    this.counts.batches++;
    this.counts.duplicates += result?.duplicates ?? 0;
    this.outages.up();
    return true;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stop.abort();
  }
}
