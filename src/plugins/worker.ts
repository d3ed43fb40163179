/**
 * The worker thread a plugin runs in (see thread.ts). It loads the plugin, then answers the engine's
 * requests one at a time: a batch of lines (each call isolated, async results settled within the
 * timeout, outcomes checked against the contract), a flush, a close. Before each line it says which one
 * it is on, and after it what came of it, in memory shared with the engine (its journal): the engine
 * knows at every moment which lines are done and what they gave, also when this thread is stuck on a
 * line (a synchronous endless loop) and has to be ended.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Line } from '../lines/line.js';
import type { LineContext, ProcessorObject } from '../chain/types.js';
import { checkOutput, Failure, invalidOutput, isThenable, settle, type Outcome } from '../chain/output.js';
import { instantiate } from './module.js';
import { EOLS, errorText, isWireError, META, PROGRESS, type BatchRequest, type FlushRequest, type Reply, type Request, type WireEntry, type WireOutcome } from './protocol.js';
import { JournalWriter } from './journal.js';

const port = parentPort!;
const { journal: shared } = workerData as { journal: SharedArrayBuffer };
const journal = new JournalWriter(shared);
const progress = new Int32Array(shared, 0, 4);
let processor: ProcessorObject | undefined;

/**
 * The context of one line, as a processor in the engine's thread gets it; its sequence number, out of
 * the plugin's reach, places the events the plugin emits.
 */
class WorkerCtx implements LineContext {
  readonly #seq: number;
  readonly #request: BatchRequest;
  readonly #index: number;
  #line: Line | undefined;
  readonly source: string;
  readonly lineNumber: number;
  readonly offset: number;
  readonly end: number;

  constructor(request: BatchRequest, index: number) {
    const { meta } = request;
    const m = index * META;
    this.#seq = meta[m]!;
    this.#request = request;
    this.#index = index;
    this.source = request.sources[meta[m + 1]!]!;
    this.lineNumber = meta[m + 2]!;
    this.offset = meta[m + 3]!;
    this.end = meta[m + 4]!;
  }

  /** A copy of the (first) line as read, made when first asked for. */
  get line(): Line {
    const { meta, originals, texts } = this.#request;
    const m = this.#index * META;
    const text = originals[this.#index] ?? texts[this.#index]!;
    return (this.#line ??= { text, source: this.source, offset: this.offset, end: meta[m + 6]!, lineNumber: this.lineNumber, eol: EOLS[meta[m + 5]!]! });
  }

  set line(value: Line) {
    this.#line = value;
  }

  /** The sequence number of a context this thread made; -1 for anything else. */
  static seqOf(value: unknown): number {
    return typeof value === 'object' && value !== null && #seq in value ? (value as WorkerCtx).#seq : -1;
  }
}

const post = (reply: Reply) => port.postMessage(reply);

port.on('message', (request: Request) => {
  void handle(request).catch((error: unknown) => {
    // A bug of ours, not of the plugin: the engine sees this thread end and says so.
    process.nextTick(() => {
      throw error;
    });
  });
});

async function handle(request: Request): Promise<void> {
  switch (request.type) {
    case 'load':
      try {
        processor = await instantiate(request.url, request.spec);
      } catch (error) {
        post({ type: 'load-failed', message: errorText(error) });
        return;
      }
      post({
        type: 'loaded',
        name: processor.name,
        flush: typeof processor.flush === 'function',
        close: typeof processor.close === 'function',
        idleFlushMs: typeof processor.idleFlushMs === 'number' ? processor.idleFlushMs : undefined,
      });
      return;
    case 'batch':
      return runBatch(request, processor!);
    case 'flush':
      return runFlush(request, processor!);
    case 'close': {
      let error: string | undefined;
      try {
        // Not timed here: the engine waits a bounded time, then ends this thread.
        await processor?.close?.();
      } catch (thrown) {
        error = errorText(thrown);
      }
      post({ type: 'closed', id: request.id, error });
    }
  }
}

async function runBatch(request: BatchRequest, plugin: ProcessorObject): Promise<void> {
  const { id, texts, timeoutMs } = request;
  const count = texts.length;
  journal.begin(id);
  const outcomes: WireOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const ctx = new WorkerCtx(request, i);
    Atomics.store(progress, PROGRESS.started, i + 1);
    let result: unknown;
    try {
      result = plugin.process(texts[i]!, ctx);
    } catch (error) {
      result = new Failure(error);
    }
    if (isThenable(result)) result = await waitFor(result, timeoutMs);
    const outcome = record(toWire(result as Outcome));
    outcomes.push(outcome);
    if (request.stopAtFailure && isWireError(outcome)) break;
  }
  post({ type: 'answered', id, outcomes });
}

async function runFlush(request: FlushRequest, plugin: ProcessorObject): Promise<void> {
  journal.begin(request.id);
  Atomics.store(progress, PROGRESS.started, 1);
  let result: unknown;
  try {
    result = plugin.flush?.call(plugin, request.reason);
  } catch (error) {
    result = new Failure(error);
  }
  if (isThenable(result)) result = await waitFor(result, request.timeoutMs);
  // A flush gives entries, or nothing.
  const outcome = result instanceof Failure || result === undefined || Array.isArray(result) ? (result as Outcome) : new Failure(invalidOutput(result));
  post({ type: 'answered', id: request.id, outcomes: [record(toWire(outcome))] });
}

/** Writes an outcome to the journal; one too large for it is the line's failure. */
function record(outcome: WireOutcome): WireOutcome {
  try {
    journal.record(outcome);
    return outcome;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const failure = { failure: errorText(error) };
    journal.record(failure);
    return failure;
  }
}

/** Settles a thenable, saying meanwhile that this thread waits (its own timer ends the wait, not the engine's watchdog). */
async function waitFor(result: PromiseLike<unknown>, timeoutMs: number): Promise<Outcome> {
  Atomics.store(progress, PROGRESS.waiting, 1);
  const outcome = await settle(result, timeoutMs);
  Atomics.store(progress, PROGRESS.waiting, 0);
  return outcome;
}

/** An outcome as it crosses to the engine: checked, failures as text, emitted events placed by sequence number. */
function toWire(result: Outcome): WireOutcome {
  const outcome = result instanceof Failure ? result : checkOutput(result);
  if (outcome instanceof Failure) return { failure: errorText(outcome.cause) };
  if (!Array.isArray(outcome)) return outcome as undefined | null | string;
  return outcome.map((entry: string | { text: string; first?: unknown; last?: unknown }): WireEntry => {
    if (typeof entry === 'string') return entry;
    const first = WorkerCtx.seqOf(entry.first);
    return { text: entry.text, first, last: entry.last === undefined ? first : WorkerCtx.seqOf(entry.last) };
  });
}
