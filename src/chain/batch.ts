import type { LineCtx } from './context.js';
import type { Outcome } from './output.js';

/**
 * Marks a processor that takes a stage's lines all at once (a plugin in a worker thread: one message a
 * batch instead of one a line). Its function gets the texts and contexts of the lines, in order, and
 * resolves to one outcome per line, each already checked (see `checkOutput`) or a `Failure`. The chain
 * calls it instead of `process` and applies the outcomes as it would apply per-line ones. It rejects
 * only when the processor is closed while the batch is in flight (a `TailError` with code `ABORT_ERR`).
 * @internal
 */
export const PROCESS_BATCH = Symbol('tail-async.processBatch');

/** What the chain tells a batch processor with each batch. @internal */
export interface BatchOptions {
  /** The longest a line may take (the chain's `processorTimeout`). */
  readonly timeoutMs: number;
  /** Reports a failure of the processor that no line is to blame for (its thread ended between batches). */
  readonly report: (cause: unknown) => void;
  /**
   * The `stop` policy: the processor gets no line after the first that fails (as a per-line processor
   * would not); the outcomes of those lines are left out.
   */
  readonly stopAtFailure: boolean;
}

/** The function under {@link PROCESS_BATCH}. @internal */
export type BatchFunction = (texts: readonly string[], ctxs: readonly LineCtx[], options: BatchOptions) => Promise<Outcome[]>;

/** The batch function of a processor, if it has one. @internal */
export function batchFunctionOf(processor: object): BatchFunction | undefined {
  const fn: unknown = (processor as { [PROCESS_BATCH]?: unknown })[PROCESS_BATCH];
  return typeof fn === 'function' ? (fn.bind(processor) as BatchFunction) : undefined;
}
