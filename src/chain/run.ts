import type { Line } from '../lines/line.js';
import { ProcessorError } from '../errors.js';
import { timerDelay } from '../timer-delay.js';
import { LineCtx } from './context.js';
import type { Emitted, ErrorPolicy, Processor, ProcessorObject, ProcessorOutput } from './types.js';
import { checkOutput, CUT, Failure, invalidOutput, isThenable, settle, type Outcome } from './output.js';
import { batchHandlerOf, type BatchHandler } from './batch.js';

/** The longest wait, in ms, for the processors' `close()` (all at once). */
const CLOSE_TIMEOUT_MS = 500;
/**
 * Once the run is interrupted (a signal, see {@link Chain.interrupt}): how long a plugin's `close()` in
 * its thread may take (one under way: at most this from the interruption), then its thread is ended. A
 * signal ends a run within a second.
 * @internal
 */
export const INTERRUPTED_CLOSE_MS = 250;
/** How much longer the chain waits for a `close()` after an interruption than a plugin's thread does (so that the thread says why). */
const INTERRUPTED_CLOSE_MARGIN_MS = 100;
/** The chain's wait for the processors' `close()` after an interruption. */
const INTERRUPTED_CLOSE_WAIT_MS = INTERRUPTED_CLOSE_MS + INTERRUPTED_CLOSE_MARGIN_MS;

/** How a {@link Chain} treats failures. @internal */
export interface ChainOptions {
  readonly onError: ErrorPolicy;
  /** Longest wait, in ms, for an async processor's result on one line. */
  readonly timeoutMs: number;
  /** Receives failures under the `log` and `pass` policies, and failures to close under every policy. */
  readonly report: (error: ProcessorError) => void;
  /** Called when an idle flush is due, so the consumer comes to take it. */
  readonly wake: () => void;
}

/**
 * Lines on their way through the chain: `texts[i]` is the current text of the line at `ctxs[i]`. Two
 * arrays rather than an object per line: the hot loop then allocates nothing for a line it keeps.
 */
interface Items {
  readonly texts: string[];
  readonly ctxs: LineCtx[];
}

/**
 * What the chain hands out: the lines, and for each the context it stands for (one line read, or the
 * span of an event), from which its position in the files is known whatever a processor did.
 * @internal
 */
export interface ChainOutput {
  readonly lines: Line[];
  readonly ctxs: readonly LineCtx[];
}

interface Stage {
  readonly processor: ProcessorObject;
  readonly name: string;
  /** Set for a processor that takes a stage's lines at once (a plugin in a worker thread). */
  readonly batch: BatchHandler | undefined;
  /** The last line this stage was given: flushed plain strings take its position. */
  last: LineCtx | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  idleDue: boolean;
}

/**
 * Runs lines through processors in order, each call isolated: a throw, a rejection or a timeout costs
 * that one line (by policy), never the stream. When every processor answers synchronously the chain
 * never awaits: `run()` returns an array, not a promise (an `await` per line costs ~10× a sync call).
 * @internal
 */
export class Chain {
  private readonly stages: Stage[];
  private readonly opts: ChainOptions;
  private closed = false;
  /** Aborted by {@link Chain.interrupt}: every wait for a processor ends. */
  private readonly interruption = new AbortController();
  /** True once {@link Chain.interrupt} was called. */
  interrupted = false;
  /** While closing: aborted when the wait for the processors' `close()` is over. */
  private closeWait: AbortController | undefined;
  /** Lines that failed and were dropped silently (`skip`), or reported (`log`, `pass`). */
  readonly counts = { failed: 0, skipped: 0 };
  /**
   * Under the `stop` policy, the failure that ended the chain. The lines before it in its batch are still
   * returned by that `run()`; the consumer ends the stream with this error after them.
   */
  stopped: ProcessorError | undefined;
  /**
   * Under the `stop` policy, the line whose failure ended the chain; once interrupted, the line where a
   * processor's work was cut short. It and those after it in its batch were not processed (the checkpoint
   * stays before it).
   */
  stoppedAt: LineCtx | undefined;

  constructor(processors: readonly Processor[], options: ChainOptions) {
    this.opts = options;
    this.stages = processors.map((processor, i) => {
      const object = typeof processor === 'function' ? { name: processor.name || `#${i + 1}`, process: processor } : processor;
      return { processor: object, name: object.name || `#${i + 1}`, batch: batchHandlerOf(object), last: undefined, idleTimer: undefined, idleDue: false };
    });
  }

  /**
   * The run is being interrupted (a signal): every wait for a processor ends at once, a plugin in a worker
   * thread is cut short (its thread ended), and later async calls are cut too. The batch in progress goes
   * on only with the lines every processor had finished ({@link Chain.stoppedAt} says where it was cut);
   * a flush cut short emits nothing. The processors' `close()` is then waited for only briefly
   * ({@link INTERRUPTED_CLOSE_MS}, and a little).
   */
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    for (const stage of this.stages) stage.batch?.interrupt();
    this.interruption.abort();
    // Closing already: its wait ends soon.
    const wait = this.closeWait;
    if (wait) setTimeout(() => wait.abort(`did not settle within ${INTERRUPTED_CLOSE_WAIT_MS} ms of the interruption`), INTERRUPTED_CLOSE_WAIT_MS).unref();
  }

  /** True when a stateful processor has been idle long enough: call {@link Chain.flushIdle}. */
  get idleDue(): boolean {
    return this.stages.some((s) => s.idleDue);
  }

  /**
   * Runs a batch through every processor; synchronous unless some processor answered with a promise.
   * `origin` names the file the batch was read from; it is kept with each line, out of the processors' reach.
   */
  run(batch: readonly Line[], origin?: unknown): ChainOutput | Promise<ChainOutput> {
    if (this.stopped) return { lines: [], ctxs: [] };
    const texts: string[] = new Array(batch.length);
    const ctxs: LineCtx[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i]!;
      texts[i] = line.text;
      ctxs[i] = new LineCtx(line, origin);
    }
    const items = { texts, ctxs };
    const result = this.through(items, 0);
    // Every processor kept every line: the batch itself is the output.
    const output = (out: Items): ChainOutput => (out === items ? { lines: batch.slice(), ctxs } : toOutput(out));
    return isPromise(result) ? result.then(output) : output(result);
  }

  /**
   * What the stateful processors hold of `source`: the context of the first line each holds, or
   * `'unknown'` when one of them cannot say (no `pending()`, or an answer that is not a context it was given).
   */
  held(source: string): LineCtx[] | 'unknown' {
    const out: LineCtx[] = [];
    for (const { processor } of this.stages) {
      if (!processor.flush) continue;
      if (typeof processor.pending !== 'function') return 'unknown';
      let first: unknown;
      try {
        first = processor.pending(source);
      } catch {
        return 'unknown';
      }
      if (first === undefined || first === null) continue;
      if (!LineCtx.is(first)) return 'unknown';
      out.push(first);
    }
    return out;
  }

  /** Emits what stateful processors hold after they were idle, through the rest of the chain. */
  async flushIdle(): Promise<ChainOutput> {
    const out: Items = { texts: [], ctxs: [] };
    for (let i = 0; i < this.stages.length; i++) {
      const stage = this.stages[i]!;
      if (!stage.idleDue) continue;
      stage.idleDue = false;
      append(out, await this.through(await this.flushStage(stage, 'idle'), i + 1));
    }
    return toOutput(out);
  }

  /** End of input: flushes every stateful processor in order, each flush going through the later ones. */
  async end(): Promise<ChainOutput> {
    const out: Items = { texts: [], ctxs: [] };
    for (let i = 0; i < this.stages.length; i++) {
      const stage = this.stages[i]!;
      clearTimeout(stage.idleTimer);
      stage.idleDue = false;
      if (!stage.processor.flush) continue;
      append(out, await this.through(await this.flushStage(stage, 'end'), i + 1));
    }
    return toOutput(out);
  }

  /**
   * Calls every processor's `close()` once, in order, and waits at most half a second for all of them
   * (after an interruption, a little more than {@link INTERRUPTED_CLOSE_MS}). A close that
   * throws, rejects or does not settle in time is reported (whatever the policy) and changes nothing
   * else: it never rejects.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Aborted, with what to report of a close still pending, when the wait is over.
    const wait = new AbortController();
    this.closeWait = wait;
    const ms = this.interrupted ? INTERRUPTED_CLOSE_WAIT_MS : CLOSE_TIMEOUT_MS;
    const timer = setTimeout(() => wait.abort(`did not settle within ${ms} ms`), ms);
    const outcomes = await Promise.all(this.stages.map((stage) => this.closeStage(stage, wait.signal)));
    clearTimeout(timer);
    this.closeWait = undefined;
    outcomes.forEach((outcome, i) => {
      if (!(outcome instanceof Failure) && outcome !== CUT) return;
      const cause = outcome === CUT ? new Error(String(wait.signal.reason)) : outcome.cause;
      this.opts.report(new ProcessorError({ processor: this.stages[i]!.name, source: '', lineNumber: 0, offset: 0, cause, phase: 'close' }));
    });
  }

  /** Calls a stage's `close()`; its outcome once it settles or `wait` is over ({@link CUT}). */
  private closeStage(stage: Stage, wait: AbortSignal): Outcome | Promise<Outcome> {
    clearTimeout(stage.idleTimer);
    const close = stage.processor.close;
    if (typeof close !== 'function') return undefined;
    try {
      const result: unknown = close.call(stage.processor);
      // The timeout is the wait's (it aborts); settle's own is only a bound.
      return isThenable(result) ? settle(result as PromiseLike<unknown>, CLOSE_TIMEOUT_MS + 1000, wait) : undefined;
    } catch (error) {
      return new Failure(error);
    }
  }

  /** Items through stages from `from` on; stays synchronous until a processor returns a thenable. */
  private through(items: Items, from: number): Items | Promise<Items> {
    for (let s = from; s < this.stages.length; s++) {
      const { texts, ctxs } = items;
      if (texts.length === 0) return items;
      const stage = this.stages[s]!;
      if (stage.batch) return this.throughBatch(stage, stage.batch, items, s);
      // Made at the first line this stage does not simply keep: a stage that keeps every line copies nothing.
      let out: Items | undefined;
      let i = 0;
      for (; i < texts.length; i++) {
        const result = this.call(stage, texts[i]!, ctxs[i]!);
        if (result === undefined) {
          if (out) keep(out, texts[i]!, ctxs[i]!);
          continue;
        }
        out ??= { texts: texts.slice(0, i), ctxs: ctxs.slice(0, i) };
        if (isPromise(result)) return this.finishAsync(result, items, i, out, s);
        // Stopped here: the lines after this one go no further; those before go on through later stages.
        if (!this.apply(stage, texts[i]!, ctxs[i]!, result, out)) break;
      }
      this.touched(stage, ctxs[Math.min(i, texts.length - 1)]!);
      items = out ?? items;
    }
    return items;
  }

  /** The rest of stage `s` (and the later stages) once one of its calls turned out to be async. */
  private async finishAsync(pending: Promise<Outcome>, items: Items, index: number, out: Items, s: number): Promise<Items> {
    const stage = this.stages[s]!;
    const { texts, ctxs } = items;
    let i = index;
    let goOn = this.apply(stage, texts[i]!, ctxs[i]!, await pending, out);
    while (goOn && i + 1 < texts.length) {
      i++;
      const result = this.call(stage, texts[i]!, ctxs[i]!);
      goOn = this.apply(stage, texts[i]!, ctxs[i]!, isPromise(result) ? await result : result, out);
    }
    this.touched(stage, ctxs[i]!);
    return this.through(out, s + 1);
  }

  /** Stage `s` as one call for all of its lines (see {@link PROCESS_BATCH}), then the later stages. */
  private async throughBatch(stage: Stage, batch: BatchHandler, items: Items, s: number): Promise<Items> {
    const { texts, ctxs } = items;
    // It rejects only when the processor was closed meanwhile: then the stream is closing too.
    const report = (cause: unknown) => this.opts.report(new ProcessorError({ processor: stage.name, source: '', lineNumber: 0, offset: 0, cause, phase: 'idle' }));
    const outcomes = await batch.run(texts, ctxs, { timeoutMs: this.opts.timeoutMs, report, stopAtFailure: this.opts.onError === 'stop' });
    const out: Items = { texts: [], ctxs: [] };
    let i = 0;
    for (; i < texts.length; i++) {
      if (!this.apply(stage, texts[i]!, ctxs[i]!, outcomes[i], out)) break;
    }
    this.touched(stage, ctxs[Math.min(i, texts.length - 1)]!);
    return this.through(out, s + 1);
  }

  /** One isolated call: its output, or the failure it raised (a thenable is settled, with a time limit). */
  private call(stage: Stage, text: string, ctx: LineCtx): Outcome | Promise<Outcome> {
    let result: ProcessorOutput | PromiseLike<ProcessorOutput>;
    try {
      result = stage.processor.process(text, ctx);
    } catch (error) {
      return new Failure(error);
    }
    return isThenable(result) ? settle(result, this.opts.timeoutMs, this.interruption.signal) : result;
  }

  /**
   * Applies one call's outcome to `out`: keep, drop, replace, expand, or the error policy. False when
   * this outcome stopped the chain (`stop` policy), or was cut short (an interruption): the lines after
   * it go no further.
   */
  private apply(stage: Stage, text: string, ctx: LineCtx, result: Outcome, out: Items): boolean {
    if (result === CUT) {
      this.stoppedAt = ctx;
      return false;
    }
    const outcome = result instanceof Failure ? result : checkOutput(result);
    if (outcome === undefined) {
      keep(out, text, ctx);
    } else if (outcome === null) {
      return true;
    } else if (typeof outcome === 'string') {
      keep(out, outcome, ctx);
    } else if (Array.isArray(outcome)) {
      for (const entry of outcome as ReadonlyArray<string | Emitted>) pushEntry(out, entry, ctx);
    } else {
      const policy = this.fail(stage, ctx, (outcome as Failure).cause);
      if (policy === 'pass') keep(out, text, ctx);
      return policy !== 'stop';
    }
    return true;
  }

  /** Applies the error policy to a failure; `pass` lets the line go on unchanged. */
  private fail(stage: Stage, ctx: LineCtx, cause: unknown): ErrorPolicy {
    const line = LineCtx.firstLine(ctx);
    const error = new ProcessorError({ processor: stage.name, source: line.source, lineNumber: line.lineNumber, offset: line.offset, cause });
    const policy = this.opts.onError;
    if (policy === 'stop') {
      this.stopped = error;
      this.stoppedAt = ctx;
    } else if (policy === 'skip') this.counts.skipped++;
    else {
      this.counts.failed++;
      this.opts.report(error);
    }
    return policy;
  }

  private async flushStage(stage: Stage, reason: 'idle' | 'end'): Promise<Items> {
    const items: Items = { texts: [], ctxs: [] };
    const flush = stage.processor.flush;
    if (!flush) return items;
    const fallback = stage.last;
    let outcome: Outcome;
    try {
      const result: unknown = flush.call(stage.processor, reason);
      outcome = isThenable(result) ? await settle(result, this.opts.timeoutMs, this.interruption.signal) : (result as Outcome);
    } catch (error) {
      outcome = new Failure(error);
    }
    // Cut short by an interruption: it emits nothing, and what it holds is not passed by the checkpoint.
    if (outcome === CUT) return items;
    // A flush gives entries, or nothing: a string or null there is outside the contract.
    if (!(outcome instanceof Failure)) outcome = outcome === undefined || Array.isArray(outcome) ? checkOutput(outcome) : new Failure(invalidOutput(outcome));
    if (outcome instanceof Failure) {
      if (fallback) this.fail(stage, fallback, outcome.cause);
      return items;
    }
    for (const entry of (outcome as ReadonlyArray<string | Emitted> | undefined) ?? []) {
      if (!fallback && !(typeof entry === 'object' && LineCtx.is(entry.first))) continue; // nowhere to put it
      pushEntry(items, entry, fallback!);
    }
    return items;
  }

  /** A stage was given lines up to `last`: remember it, and (re)arm its idle timer if it has one. */
  private touched(stage: Stage, last: LineCtx): void {
    stage.last = last;
    const ms = stage.processor.idleFlushMs;
    if (!stage.processor.flush || ms === undefined || this.closed) return;
    clearTimeout(stage.idleTimer);
    stage.idleTimer = setTimeout(() => {
      stage.idleDue = true;
      this.opts.wake();
    }, timerDelay(ms));
    stage.idleTimer.unref();
  }
}

function keep(out: Items, text: string, ctx: LineCtx): void {
  out.texts.push(text);
  out.ctxs.push(ctx);
}

function append(out: Items, more: Items): void {
  for (let i = 0; i < more.texts.length; i++) keep(out, more.texts[i]!, more.ctxs[i]!);
}

/**
 * Appends an array entry of a processor's output: a string takes `ctx`'s place, an event its own, from
 * its first line to its last. Positions the engine did not make (copies, look-alikes) are not believed:
 * such an event takes `ctx`'s place.
 */
function pushEntry(out: Items, entry: string | Emitted, ctx: LineCtx): void {
  if (typeof entry === 'string') return keep(out, entry, ctx);
  const first = LineCtx.is(entry.first) ? entry.first : ctx;
  const last = entry.last === undefined ? first : LineCtx.is(entry.last) ? entry.last : ctx;
  keep(out, entry.text, last === first ? first : LineCtx.span(first, last));
}

/** The chain's output as lines: the very line read when a processor left it as it was. */
function toOutput(items: Items): ChainOutput {
  const { texts, ctxs } = items;
  const out: Line[] = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    const ctx = ctxs[i]!;
    const first = LineCtx.firstLine(ctx);
    const last = LineCtx.lastLine(ctx);
    out[i] =
      text === first.text && first === last
        ? first
        : { text, source: first.source, offset: first.offset, end: last.end, lineNumber: first.lineNumber, eol: first.eol };
  }
  return { lines: out, ctxs };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}
