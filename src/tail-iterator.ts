import type { Line } from './lines/line.js';
import type { ReadChunk } from './lines/chunk.js';
import { DEFAULT_FILE_START, type ResolvedOptions } from './options.js';
import { abortError, optionError, TailError } from './errors.js';
import { Session, type SourceSpec } from './session.js';
import { Chain } from './chain/run.js';
import { ErrorReporter } from './chain/report.js';
import { Ledger } from './checkpoint/ledger.js';
import { DeliveryTracker } from './checkpoint/tracker.js';
import { chainPlacement, plainPlacement, UNPLACED } from './checkpoint/placement.js';
import type { Notice } from './notices.js';
import type { StopOptions, TailStream } from './tail-stream.js';
import type { Origin } from './sources/resume.js';
import { LineCtx } from './chain/context.js';
import type { ChainOutput } from './chain/run.js';
import type { PipeOptions, PipeResult, Sink } from './sinks/contract.js';
import { pipe } from './sinks/pipe.js';
import { MatchingStart } from './matching-start.js';
import { statelessHead } from './chain/prefilter.js';
import type { Resumer } from './sources/resume.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The {@link TailStream} behind `tail()`: hands out the session's batches line by line or whole, runs
 * them through the processing chain, tells the checkpoint what was delivered, and closes everything on
 * every way out.
 * @internal
 */
export class TailIterator implements TailStream {
  private readonly session: Session;
  private readonly signal: AbortSignal | undefined;
  private opened: Promise<void> | undefined;
  private batch: Line[] = [];
  private index = 0;
  private finished = false;
  private mode: 'lines' | 'batches' | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly onAbort = () => void this.close().catch(() => {});
  private readonly chain: Chain | undefined;
  private readonly reporter: ErrorReporter | undefined;
  /** Every source ended: what the chain still holds is flushed, then the iteration ends. */
  private sourcesEnded = false;
  /** `stop({ now: true })` was called: the iteration ends after the lines the processors had finished. */
  private halted = false;
  /** A batch is being fetched (read, then processed). */
  private fetching = false;
  private readonly checkpoint: string | undefined;
  private readonly onNotice: ResolvedOptions['onNotice'];
  private tracker: DeliveryTracker | undefined;
  /** Asking for the next line or batch commits those handed out before it. */
  private autoCommit: boolean;
  /**
   * Shipping to a sink (see {@link pipeTo}): where each batch handed out was read from is kept, and the end
   * of the input does not close the tail (batches still in flight are committed first; the pipe closes it).
   */
  private shipping = false;
  /**
   * The batch last handed out while shipping, and the file each of its lines was read from (asked for
   * before the next batch is; one slot, not a map: a WeakMap entry per batch made every young-generation
   * collection slower, measured).
   */
  private shipped: { readonly batch: readonly Line[]; readonly originOf: (i: number) => Origin | undefined; readonly chunk?: ReadChunk | undefined } | undefined;

  private readonly opts: ResolvedOptions;

  constructor(specs: SourceSpec[], opts: ResolvedOptions) {
    this.opts = opts;
    this.session = new Session(specs, opts);
    this.checkpoint = opts.checkpoint;
    this.autoCommit = opts.autoCommit;
    this.onNotice = opts.onNotice;
    this.signal = opts.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (opts.processors.length > 0) {
      this.reporter = opts.onProcessorError ? undefined : new ErrorReporter((message) => process.stderr.write(`tail-async: ${message}\n`));
      this.chain = new Chain(opts.processors, {
        onError: opts.onError,
        timeoutMs: opts.processorTimeout,
        report: opts.onProcessorError ?? this.reporter!.report,
        wake: () => this.session.interrupt(),
      });
    }
  }

  get processorFailures(): { failed: number; skipped: number } {
    return { ...(this.chain?.counts ?? { failed: 0, skipped: 0 }) };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get bufferedBytes(): number {
    let n = this.session.bufferedBytes;
    for (let i = this.index; i < this.batch.length; i++) n += this.batch[i]!.end - this.batch[i]!.offset;
    return n;
  }

  next(): Promise<IteratorResult<Line, undefined>> {
    this.claim('lines');
    // The common case costs no extra promise chaining: a line is already waiting.
    if (this.index < this.batch.length) {
      if (this.autoCommit && this.index > 0) this.tracker?.commitFirst(this.index);
      return Promise.resolve({ value: this.batch[this.index++]!, done: false });
    }
    return this.serialize(async () => {
      while (this.index >= this.batch.length) {
        const batch = await this.fetch();
        if (batch === null) return DONE;
        this.batch = batch;
        this.index = 0;
      }
      return { value: this.batch[this.index++]!, done: false };
    });
  }

  batches(): AsyncIterableIterator<Line[]> & AsyncDisposable {
    this.claim('batches');
    const self = this;
    return {
      next: () =>
        this.serialize(async (): Promise<IteratorResult<Line[], undefined>> => {
          const batch = await this.fetch();
          return batch === null ? DONE : { value: batch, done: false };
        }),
      // Leaving the loop commits nothing: the batch in hand was not done with.
      return: async () => {
        await this.close();
        return DONE;
      },
      throw: async (error?: unknown) => {
        await this.close();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
      [Symbol.asyncDispose]: () => self.close(),
    };
  }

  /** Leaving the loop (`break`, `return`, a throw in its body) commits nothing: the line in hand was not done with. */
  async return(): Promise<IteratorResult<Line, undefined>> {
    await this.close();
    return DONE;
  }

  commit(upTo?: Line | readonly Line[]): void {
    const tracker = this.tracker;
    if (!tracker) return;
    if (upTo === undefined) tracker.commitAll(this.mode === 'lines' ? this.index : undefined);
    else if (typeof upTo === 'object' && upTo !== null) tracker.commit(upTo);
  }

  pipeTo(sink: Sink, options?: PipeOptions): Promise<PipeResult> {
    try {
      this.claim('batches');
    } catch (error) {
      return Promise.reject(error);
    }
    this.shipping = true;
    // A sink may ship lines as the bytes they were read from (lines out of processors are not): those of
    // each read are kept with its lines.
    this.session.keepChunks = this.chain === undefined;
    // Lines count as delivered once the sink acknowledged them, whatever the order: pipe() commits them.
    this.autoCommit = false;
    const none = () => undefined;
    return pipe(
      {
        batches: () => this.batches(),
        originOf: (batch) => (this.shipped?.batch === batch ? this.shipped.originOf : none),
        chunkOf: (batch) => (this.shipped?.batch === batch ? this.shipped.chunk : undefined),
        commit: (batch, from, to) => this.tracker?.commitRange(batch, from, to),
        limitReads: (lines) => this.session.limitReads(lines),
        close: () => this.close(),
      },
      sink,
      options,
    );
  }

  async throw(error?: unknown): Promise<IteratorResult<Line, undefined>> {
    await this.close();
    throw error;
  }

  async open(): Promise<void> {
    this.throwIfAborted();
    if (this.finished) return;
    this.opened ??= this.openSession();
    try {
      await this.opened;
    } catch (error) {
      await this.close().catch(() => {});
      throw error;
    }
  }

  stop(options?: StopOptions): void {
    if (!options?.now) return this.session.stop();
    if (this.halted) return;
    this.halted = true;
    this.chain?.interrupt();
    // A pending read for a batch returns now (with no lines).
    this.session.interrupt();
  }

  /** Loads the checkpoint (if any), so that files resume where they were, then opens the sources. */
  private async openSession(): Promise<void> {
    if (this.checkpoint !== undefined) {
      const report = (error: unknown) => this.onNotice(checkpointNotice(this.checkpoint!, error));
      const ledger = await Ledger.load(this.checkpoint, report);
      // Without stateful processors every line read is handed out: the tracker can tell when all are delivered.
      const holdsNothing = this.opts.processors.every((p) => typeof p === 'function' || p.flush === undefined);
      this.tracker = new DeliveryTracker(ledger, report, holdsNothing);
      this.session.resumer = ledger;
    }
    this.session.resumer = this.matchingStart(this.session.resumer);
    await this.session.open();
  }

  /**
   * With "the last N lines" (the default for files) and a chain that starts with stateless filters
   * (`grep`, `exclude`, `json`): files opened at the start begin at the N-th line from the end that gets
   * through those filters (see {@link MatchingStart}).
   */
  private matchingStart(resumer: Resumer | undefined): Resumer | undefined {
    const start = this.opts.start ?? DEFAULT_FILE_START;
    const filters = statelessHead(this.opts.processors);
    if (!('lines' in start) || filters.length === 0) return resumer;
    const { delimiter, encoding, maxLineBytes } = this.opts;
    return new MatchingStart(resumer, filters, start.lines, { delimiter, encoding, maxLineBytes, failuresPass: this.opts.onError === 'pass' });
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.finished = true;
      this.batch = [];
      this.index = 0;
      this.signal?.removeEventListener('abort', this.onAbort);
      // A batch in progress ends now: a processor's wait or a plugin's thread is cut short (a pending next() ends).
      if (this.fetching) this.chain?.interrupt();
      // The checkpoint is saved before the session closes: it fingerprints files through the handles the session holds.
      const saved = this.tracker?.close() ?? Promise.resolve();
      // The reporter last: processors that fail to close are reported through it.
      this.closing = Promise.all([saved.then(() => this.session.close()), this.chain?.close()]).then(() => this.reporter?.close());
    }
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private claim(mode: 'lines' | 'batches'): void {
    if (this.mode !== undefined && this.mode !== mode) {
      throw optionError('tail(): iterate a tail either per line or with batches(), not both');
    }
    this.mode = mode;
  }

  /** Runs one `next()` after the previous one settled, so concurrent calls keep the order of lines. */
  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const run = this.pending.then(step, step);
    this.pending = run.catch(() => {});
    return run;
  }

  /** The next batch of lines (through the processors); null at the end. Closes everything on the way out. */
  private async fetch(): Promise<Line[] | null> {
    this.throwIfAborted();
    if (this.finished) return null;
    await this.open();
    // Asking for more means the lines handed out so far were delivered.
    const tracker = this.tracker;
    if (this.autoCommit) tracker?.commitAll();
    const given = this.mode === 'batches';
    this.fetching = true;
    try {
      for (;;) {
        if (this.chain?.stopped) throw this.chain.stopped;
        if (this.halted || this.sourcesEnded) {
          const failure = this.session.failure();
          // Nothing is in progress: the processors close as at any end.
          this.fetching = false;
          if (!this.shipping) await this.close();
          if (failure) throw failure;
          return null;
        }
        const chain = this.chain;
        if (chain?.idleDue) {
          const flushed = await chain.flushIdle();
          tracker?.handOut(flushed.lines, chainPlacement(flushed, undefined, chain), given);
          if (flushed.lines.length > 0) return this.tagged(flushed);
        }
        const batch = await this.session.nextBatch();
        this.throwIfAborted();
        if (this.halted) continue;
        if (batch === null) {
          if (this.finished) return null;
          this.sourcesEnded = true;
          if (!chain) continue;
          const rest = await chain.end();
          tracker?.handOut(rest.lines, UNPLACED, given);
          if (rest.lines.length > 0) return this.tagged(rest);
          continue;
        }
        if (batch.length === 0) continue;
        const origin = this.session.lastOrigin;
        if (!chain) {
          tracker?.handOut(batch, plainPlacement(batch, origin), given);
          if (this.shipping) this.shipped = { batch, originOf: () => origin, chunk: this.session.lastChunk };
          return batch;
        }
        const result = chain.run(batch, origin);
        const out = result instanceof Promise ? await result : result;
        // Closed meanwhile (its work cut short): a pending next() ends.
        if (this.finished) return null;
        tracker?.handOut(out.lines, chainPlacement(out, { origin, last: batch[batch.length - 1]! }, chain), given);
        if (out.lines.length > 0) return this.tagged(out);
      }
    } catch (error) {
      // Closed meanwhile: a plugin's batch cut short by close() ends the iteration as close() does.
      if (this.finished && error instanceof TailError && error.code === 'ABORT_ERR' && !this.signal?.aborted) return null;
      if (!this.shipping) await this.close().catch(() => {});
      throw error;
    } finally {
      this.fetching = false;
    }
  }

  /** The lines out of the chain; when shipping, each known by the file its (first) line was read from. */
  private tagged(out: ChainOutput): Line[] {
    if (this.shipping) this.shipped = { batch: out.lines, originOf: (i) => LineCtx.firstOrigin(out.ctxs[i]!) as Origin | undefined };
    return out.lines;
  }


  private throwIfAborted(): void {
    if (this.signal?.aborted) throw abortError(this.signal);
  }
}

function checkpointNotice(file: string, error: unknown): Notice {
  const err = (error instanceof Error ? error : new Error(String(error))) as NodeJS.ErrnoException;
  return { type: 'error', source: file, error: err, message: err.message };
}
