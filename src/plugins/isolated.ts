import { LineCtx } from '../chain/context.js';
import { PROCESS_BATCH, type BatchOptions } from '../chain/batch.js';
import { CUT, Failure, type Outcome } from '../chain/output.js';
import type { Emitted, LineContext, ProcessorObject } from '../chain/types.js';
import { AbortError, PluginError } from '../errors.js';
import { EOLS, isWireError, META, type WireEntry, type WireOutcome } from './protocol.js';
import { PluginThread } from './thread.js';

/**
 * How many lines a stateful plugin (one with `flush`) may hold and still have the events it emits placed
 * at their lines: older lines are forgotten, and an event that names one is placed at the line that
 * made it come out. (A multi-line joiner emits by 1 000 lines by default.)
 */
const REMEMBERED_LINES = 65_536;

/**
 * How many times in a row a thread may end before it takes a batch up (a plugin that crashes from a
 * timer as soon as it is loaded) before the first line of the batch is failed anyway, so that the
 * stream goes on.
 */
const ENDS_BEFORE_BLAME = 3;

/** Until the chain says otherwise (its first batch), the time a flush may take. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A plugin that runs in a worker thread of its own, as a processor of the chain: lines go to it a batch
 * at a time, in order, and come back with one outcome each. A line it throws on, rejects, returns
 * something outside the contract for, does not settle in time, is stuck on (a synchronous endless loop)
 * or ends its thread on (`process.exit`, a crash) fails alone; the thread is started again and the rest
 * of the batch goes on (the lines before it keep the outcomes the old thread gave them). Its state starts
 * afresh then, as after a restart of the process. When the run is interrupted (a signal), the batch in
 * flight ends at once: the lines the plugin had finished keep their outcomes, the others are `CUT`.
 * @internal
 * @example
 * ```ts
 * const redact = await isolatedPlugin('file:///srv/redact.mjs', './redact.mjs', 30_000);
 * tail('app.log', { processors: [redact] });
 * ```
 */
export async function isolatedPlugin(url: string, spec: string, loadTimeoutMs: number): Promise<ProcessorObject> {
  const thread = new PluginThread(url, spec, loadTimeoutMs);
  const loaded = (await thread.ready())!;
  const stateful = loaded.flush;
  const remembered = new Map<number, LineCtx>();
  let nextSeq = 1;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  let lastGiven: LineCtx | undefined;

  /** The thread, running; a failure to start it again is every pending line's failure. */
  const ready = async (report?: (error: unknown) => void): Promise<PluginError | undefined> => {
    const ended = report && thread.takeIdleEnd();
    if (ended) report(new Error(ended));
    try {
      await thread.ready();
      return undefined;
    } catch (error) {
      if (error instanceof PluginError) return error;
      // The caller sees that it was interrupted.
      if (thread.interrupted) return undefined;
      throw error;
    }
  };

  const place = (seq: number, local: (seq: number) => LineCtx | undefined): LineCtx | undefined => (seq < 0 ? undefined : (local(seq) ?? remembered.get(seq)));

  const toEntries = (entries: WireEntry[], fallback: LineCtx, local: (seq: number) => LineCtx | undefined): Array<string | Emitted> =>
    entries.map((entry) => {
      if (typeof entry === 'string') return entry;
      const first = place(entry.first, local) ?? fallback;
      const last = entry.last === entry.first ? first : (place(entry.last, local) ?? fallback);
      return { text: entry.text, first, last };
    });

  const toOutcome = (wire: WireOutcome, ctx: LineCtx, local: (seq: number) => LineCtx | undefined): Outcome => {
    if (isWireError(wire)) return new Failure(new Error(wire.failure));
    return Array.isArray(wire) ? toEntries(wire, ctx, local) : wire;
  };

  const processBatch = async (texts: readonly string[], ctxs: readonly LineCtx[], options: BatchOptions): Promise<Outcome[]> => {
    timeoutMs = options.timeoutMs;
    const seq0 = nextSeq;
    nextSeq += texts.length;
    const local = (seq: number) => ctxs[seq - seq0];
    if (stateful) remember(remembered, ctxs, seq0);
    lastGiven = ctxs[ctxs.length - 1];
    const outcomes: Outcome[] = new Array(texts.length);
    let todo = texts.map((_, i) => i);
    let ends = 0;
    while (todo.length > 0) {
      const failed = await ready(options.report);
      if (thread.interrupted) {
        for (const i of todo) outcomes[i] = CUT;
        break;
      }
      if (failed) {
        for (const i of todo) outcomes[i] = new Failure(failed);
        break;
      }
      const lines = todo;
      const request = (id: number) => ({ ...batchRequest(id, lines, texts, ctxs, seq0), timeoutMs, stopAtFailure: options.stopAtFailure });
      const { outcomes: answered, broken, cut } = await thread.exchange(request, timeoutMs);
      answered.forEach((wire, k) => (outcomes[lines[k]!] = toOutcome(wire, ctxs[lines[k]!]!, local)));
      if (cut) {
        for (const i of lines.slice(answered.length)) outcomes[i] = CUT;
        break;
      }
      if (!broken) break;
      if (broken.at < 0 && ++ends < ENDS_BEFORE_BLAME) {
        // It ended before it took this batch up (it was already ending between lines): no line is to blame.
        options.report(new Error(broken.reason));
        continue;
      }
      ends = 0;
      // The line it was on fails; the lines before it have their outcomes (see journal.ts).
      const at = Math.max(broken.at, answered.length);
      if (at >= lines.length) {
        // It ended once every line was answered: no line is to blame.
        options.report(new Error(broken.reason));
        break;
      }
      outcomes[lines[at]!] = new Failure(new Error(broken.reason));
      // Under the stop policy the lines after a failure are not given to the plugin.
      todo = options.stopAtFailure ? [] : lines.slice(at + 1);
    }
    return outcomes;
  };

  const processor: ProcessorObject = {
    name: loaded.name,
    ...(loaded.idleFlushMs !== undefined && { idleFlushMs: loaded.idleFlushMs }),
    // The chain hands this processor whole batches; a caller of its own gets one line's batch.
    async process(text, ctx) {
      const [outcome] = await processBatch([text], [ctx as LineCtx], { timeoutMs, report: () => {}, stopAtFailure: false });
      if (outcome instanceof Failure) throw outcome.cause;
      if (outcome === CUT) throw new AbortError('the plugin was closed');
      return outcome;
    },
    [PROCESS_BATCH]: { run: processBatch, interrupt: () => thread.interrupt() },
    async close(): Promise<void> {
      const error = await thread.close();
      remembered.clear();
      if (error !== undefined) throw new Error(error);
    },
  };
  if (stateful) {
    processor.flush = async (reason: 'idle' | 'end') => {
      const failed = await ready();
      if (thread.interrupted) return [];
      if (failed) throw failed;
      const { outcomes, broken, cut } = await thread.exchange((id) => ({ type: 'flush', id, reason, timeoutMs }), timeoutMs);
      // Interrupted, or closed: what it holds stays held (and is not passed by the checkpoint).
      if (cut) return [];
      if (broken) throw new Error(broken.reason);
      const wire = outcomes[0];
      if (isWireError(wire)) throw new Error(wire.failure);
      return Array.isArray(wire) && lastGiven ? toEntries(wire, lastGiven, () => undefined) : [];
    };
  }
  return processor;
}

/** The request for lines `lines` of a batch: their texts, and their contexts as numbers. */
function batchRequest(id: number, lines: readonly number[], texts: readonly string[], ctxs: readonly LineCtx[], seq0: number) {
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  const meta = new Float64Array(lines.length * META);
  const originals: Record<number, string> = {};
  const out: string[] = new Array(lines.length);
  lines.forEach((i, k) => {
    const ctx = ctxs[i]!;
    // A context the engine made knows the line as read; one a caller of process() made says it in `line`.
    const line = LineCtx.is(ctx) ? LineCtx.firstLine(ctx) : (ctx as LineContext).line;
    let s = sourceIndex.get(ctx.source);
    if (s === undefined) sourceIndex.set(ctx.source, (s = sources.push(ctx.source) - 1));
    const m = k * META;
    meta[m] = seq0 + i;
    meta[m + 1] = s;
    meta[m + 2] = ctx.lineNumber;
    meta[m + 3] = ctx.offset;
    meta[m + 4] = ctx.end;
    meta[m + 5] = EOLS.indexOf(line.eol);
    meta[m + 6] = line.end;
    out[k] = texts[i]!;
    if (line.text !== texts[i]) originals[k] = line.text;
  });
  return { type: 'batch' as const, id, texts: out, sources, meta, originals };
}

/** Keeps the contexts of the last {@link REMEMBERED_LINES} lines given to a stateful plugin. */
function remember(remembered: Map<number, LineCtx>, ctxs: readonly LineCtx[], seq0: number): void {
  for (let i = 0; i < ctxs.length; i++) remembered.set(seq0 + i, ctxs[i]!);
  for (const seq of remembered.keys()) {
    if (remembered.size <= REMEMBERED_LINES) break;
    remembered.delete(seq);
  }
}
