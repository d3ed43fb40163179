import type { LineCtx } from './context.js';
import type { Outcome } from './output.js';

/**
 * Marks a processor that takes a stage's lines all at once (a plugin in a worker thread: one message a
 * batch instead of one a line). Under it is a {@link BatchHandler}. The chain calls its `run` instead of
 * `process` and applies the outcomes as it would apply per-line ones.
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

/**
 * A processor's way to take whole batches (see {@link PROCESS_BATCH}).
 * @internal
 * @example
 * ```ts
 * const handler: BatchHandler = {
 *   run: async (texts) => texts.map((t) => t.toUpperCase()),
 *   interrupt: () => {},
 * };
 * const processor = { name: 'upper', process: (t: string) => t.toUpperCase(), [PROCESS_BATCH]: handler };
 * ```
 */
export interface BatchHandler {
  /**
   * Gets the texts and contexts of the lines, in order, and resolves to one outcome per line, each
   * already checked (see `checkOutput`), a `Failure`, or `CUT` for a line not processed because the run
   * was interrupted. It rejects only when the processor is closed while the batch is in flight (a
   * `AbortError`, code `ABORT_ERR`).
   */
  run(texts: readonly string[], ctxs: readonly LineCtx[], options: BatchOptions): Promise<Outcome[]>;
  /**
   * The run is being interrupted (a signal): a batch in flight resolves at once, its lines not yet done
   * `CUT`; later batches are all `CUT`; `close()` is brief.
   */
  interrupt(): void;
}

/** The batch handler of a processor, if it has one. @internal */
export function batchHandlerOf(processor: object): BatchHandler | undefined {
  const handler: unknown = (processor as { [PROCESS_BATCH]?: unknown })[PROCESS_BATCH];
  return typeof handler === 'object' && handler !== null && typeof (handler as BatchHandler).run === 'function' ? (handler as BatchHandler) : undefined;
}
