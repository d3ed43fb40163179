import type { Line } from '../lines/line.js';
import { ProcessorError } from '../errors.js';
import type { Emitted, ErrorPolicy, LineContext, Processor, ProcessorObject, ProcessorOutput } from './types.js';

/** How a {@link Chain} treats failures. @internal */
export interface ChainOptions {
  readonly onError: ErrorPolicy;
  /** Longest wait, in ms, for an async processor's result on one line. */
  readonly timeoutMs: number;
  /** Receives failures under the `log` and `pass` policies. */
  readonly report: (error: ProcessorError) => void;
  /** Called when an idle flush is due, so the consumer comes to take it. */
  readonly wake: () => void;
}

/** One line on its way through the chain: its current text and where it came from. */
interface Item {
  text: string;
  readonly ctx: LineContext;
}

interface Stage {
  readonly processor: ProcessorObject;
  readonly name: string;
  /** The last line this stage was given: flushed plain strings take its position. */
  last: LineContext | undefined;
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
  /** Lines that failed and were dropped silently (`skip`), or reported (`log`, `pass`). */
  readonly counts = { failed: 0, skipped: 0 };
  /**
   * Under the `stop` policy, the failure that ended the chain. The lines before it in its batch are still
   * returned by that `run()`; the consumer ends the stream with this error after them.
   */
  stopped: ProcessorError | undefined;

  constructor(processors: readonly Processor[], options: ChainOptions) {
    this.opts = options;
    this.stages = processors.map((processor, i) => {
      const object = typeof processor === 'function' ? { name: processor.name || `#${i + 1}`, process: processor } : processor;
      return { processor: object, name: object.name || `#${i + 1}`, last: undefined, idleTimer: undefined, idleDue: false };
    });
  }

  /** True when a stateful processor has been idle long enough: call {@link Chain.flushIdle}. */
  get idleDue(): boolean {
    return this.stages.some((s) => s.idleDue);
  }

  /** Runs a batch through every processor; synchronous unless some processor answered with a promise. */
  run(batch: readonly Line[]): Line[] | Promise<Line[]> {
    if (this.stopped) return [];
    const items: Item[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i]!;
      items[i] = { text: line.text, ctx: { source: line.source, lineNumber: line.lineNumber, offset: line.offset, end: line.end, line } };
    }
    const result = this.through(items, 0);
    return isPromise(result) ? result.then(toLines) : toLines(result);
  }

  /**
   * Where a checkpoint may resume `source` once the output of the batch ending with `lastInput` was
   * delivered: after that line, unless a stateful processor still holds lines of it (then before the
   * first of them). With a stateful processor that cannot say what it holds, only after the last
   * delivered output line of that source; undefined if there is none.
   */
  resumePoint(lastInput: Line, output: readonly Line[]): { offset: number; line: number } | undefined {
    let point = { offset: lastInput.end, line: lastInput.lineNumber + 1 };
    for (const stage of this.stages) {
      if (!stage.processor.flush) continue;
      if (!stage.processor.pending) {
        const last = output.findLast((l) => l.source === lastInput.source);
        return last && { offset: last.end, line: last.end === lastInput.end ? lastInput.lineNumber + 1 : last.lineNumber + 1 };
      }
      const held = stage.processor.pending(lastInput.source);
      if (held && held.offset < point.offset) point = { offset: held.offset, line: held.lineNumber };
    }
    return point;
  }

  /** Emits what stateful processors hold after they were idle, through the rest of the chain. */
  async flushIdle(): Promise<Line[]> {
    const out: Line[] = [];
    for (let i = 0; i < this.stages.length; i++) {
      const stage = this.stages[i]!;
      if (!stage.idleDue) continue;
      stage.idleDue = false;
      out.push(...toLines(await this.through(await this.flushStage(stage, 'idle'), i + 1)));
    }
    return out;
  }

  /** End of input: flushes every stateful processor in order, each flush going through the later ones. */
  async end(): Promise<Line[]> {
    const out: Line[] = [];
    for (let i = 0; i < this.stages.length; i++) {
      const stage = this.stages[i]!;
      clearTimeout(stage.idleTimer);
      stage.idleDue = false;
      if (!stage.processor.flush) continue;
      out.push(...toLines(await this.through(await this.flushStage(stage, 'end'), i + 1)));
    }
    return out;
  }

  /** Calls every processor's `close()` once; their errors are collected, not lost. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    for (const stage of this.stages) {
      clearTimeout(stage.idleTimer);
      try {
        await stage.processor.close?.();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'a processor failed to close');
  }

  /** Items through stages from `from` on; stays synchronous until a processor returns a thenable. */
  private through(items: Item[], from: number): Item[] | Promise<Item[]> {
    for (let s = from; s < this.stages.length; s++) {
      if (items.length === 0) return items;
      const stage = this.stages[s]!;
      const out: Item[] = [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        const result = this.call(stage, item);
        if (isPromise(result)) return this.finishAsync(result, items, i, out, s);
        this.apply(stage, item, result, out);
        // Stopped here: the lines after this one go no further; those before go on through later stages.
        if (this.stopped) break;
      }
      this.touched(stage);
      items = out;
    }
    return items;
  }

  /** The rest of stage `s` (and the later stages) once one of its calls turned out to be async. */
  private async finishAsync(pending: Promise<Outcome>, items: Item[], index: number, out: Item[], s: number): Promise<Item[]> {
    const stage = this.stages[s]!;
    this.apply(stage, items[index]!, await pending, out);
    for (let i = index + 1; i < items.length && !this.stopped; i++) {
      const item = items[i]!;
      const result = this.call(stage, item);
      this.apply(stage, item, isPromise(result) ? await result : result, out);
    }

    this.touched(stage);
    return this.through(out, s + 1);
  }

  /** One isolated call: its output, or the failure it raised. */
  private call(stage: Stage, item: Item): Outcome | Promise<Outcome> {
    stage.last = item.ctx;
    let result: ProcessorOutput | PromiseLike<ProcessorOutput>;
    try {
      result = stage.processor.process(item.text, item.ctx);
    } catch (error) {
      return { failed: error };
    }
    if (!isThenable(result)) return { value: result };
    return this.settle(result);
  }

  private settle(result: PromiseLike<ProcessorOutput>): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(
        () => resolve({ failed: new Error(`did not settle within ${this.opts.timeoutMs} ms`) }),
        this.opts.timeoutMs,
      );
      result.then(
        (value) => {
          clearTimeout(timer);
          resolve({ value });
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve({ failed: error ?? new Error('rejected') });
        },
      );
    });
  }

  /** Applies one call's outcome to `out`: replace, drop, keep, expand, or the error policy. */
  private apply(stage: Stage, item: Item, outcome: Outcome, out: Item[]): void {
    if ('failed' in outcome) {
      if (this.fail(stage, item, outcome.failed)) out.push(item);
      return;
    }
    const value = outcome.value;
    if (value === undefined) out.push(item);
    else if (value === null) return;
    else if (typeof value === 'string') {
      item.text = value;
      out.push(item);
    } else if (Array.isArray(value)) {
      for (const entry of value as ReadonlyArray<string | Emitted>) out.push(toItem(entry, item.ctx));
    } else if (this.fail(stage, item, new TypeError(`returned ${describe(value)}; expected a string, null, undefined or an array`))) {
      out.push(item);
    }
  }

  /** Applies the error policy; true when the line goes on unchanged. */
  private fail(stage: Stage, item: Item, cause: unknown): boolean {
    const { ctx } = item;
    const error = new ProcessorError({ processor: stage.name, source: ctx.source, lineNumber: ctx.lineNumber, offset: ctx.offset, cause });
    switch (this.opts.onError) {
      case 'stop':
        this.stopped = error;
        return false;
      case 'skip':
        this.counts.skipped++;
        return false;
      case 'pass':
        this.counts.failed++;
        this.opts.report(error);
        return true;
      default:
        this.counts.failed++;
        this.opts.report(error);
        return false;
    }
  }

  private async flushStage(stage: Stage, reason: 'idle' | 'end'): Promise<Item[]> {
    const flush = stage.processor.flush;
    if (!flush) return [];
    const fallback = stage.last;
    let entries: ReadonlyArray<string | Emitted> | void;
    try {
      const result = flush.call(stage.processor, reason);
      entries = isThenable(result) ? await result : result;
    } catch (error) {
      if (fallback) this.fail(stage, { text: '', ctx: fallback }, error);
      return [];
    }
    const items: Item[] = [];
    for (const entry of entries ?? []) {
      if (typeof entry === 'string' && !fallback) continue; // nothing was ever read: nowhere to put it
      items.push(toItem(entry, fallback!));
    }
    return items;
  }

  /** A stage with an idle flush got input: (re)arm its idle timer. */
  private touched(stage: Stage): void {
    const ms = stage.processor.idleFlushMs;
    if (!stage.processor.flush || ms === undefined || this.closed) return;
    clearTimeout(stage.idleTimer);
    stage.idleTimer = setTimeout(() => {
      stage.idleDue = true;
      this.opts.wake();
    }, ms);
    stage.idleTimer.unref();
  }
}

type Outcome = { readonly value: ProcessorOutput } | { readonly failed: unknown };

function toItem(entry: string | Emitted, ctx: LineContext): Item {
  if (typeof entry === 'string') return { text: entry, ctx };
  const first = entry.first;
  const last = entry.last ?? first;
  if (last === first) return { text: String(entry.text), ctx: first };
  return { text: String(entry.text), ctx: { source: first.source, lineNumber: first.lineNumber, offset: first.offset, end: last.end, line: first.line } };
}

function toLines(items: readonly Item[]): Line[] {
  const out: Line[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const { text, ctx } = items[i]!;
    const line = ctx.line;
    out[i] =
      text === line.text && ctx.end === line.end
        ? line
        : { text, source: ctx.source, offset: ctx.offset, end: ctx.end, lineNumber: ctx.lineNumber, eol: line.eol };
  }
  return out;
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
