import type { Line } from '../lines/line.js';
import type { ErrorPolicy, Processor } from './types.js';
import type { ProcessorError } from '../errors.js';
import { Chain } from './run.js';
import { ErrorReporter } from './report.js';

/**
 * Options of {@link processLines}: the same as {@link TailOptions}' processing options.
 *
 * @example
 * ```ts
 * const options: ProcessLinesOptions = { onError: 'skip', processorTimeout: 1_000 };
 * for await (const line of processLines(tail('app.log'), [grep(['ERROR'])], options)) console.log(line.text);
 * ```
 */
export interface ProcessLinesOptions {
  readonly onError?: ErrorPolicy;
  readonly onProcessorError?: (error: ProcessorError) => void;
  readonly processorTimeout?: number;
}

/**
 * Runs the processing chain over any async iterable of lines or of line batches (another tail, a
 * transformed stream…), with the same isolation and policies as `tail({ processors })`. Stateful
 * processors are flushed when they have been idle for their `idleFlushMs` and at the end.
 *
 * @example
 * ```ts
 * const errors = processLines(tail('app.log'), [grep(['ERROR'])]);
 * for await (const line of errors) console.log(line.text);
 * ```
 */
export async function* processLines(
  input: AsyncIterable<Line | readonly Line[]>,
  processors: readonly Processor[],
  options: ProcessLinesOptions = {},
): AsyncGenerator<Line, void, undefined> {
  let wake: (() => void) | undefined;
  const reporter = options.onProcessorError ? undefined : new ErrorReporter((m) => process.stderr.write(`tail-async: ${m}\n`));
  const chain = new Chain(processors, {
    onError: options.onError ?? 'log',
    timeoutMs: options.processorTimeout ?? 30_000,
    report: options.onProcessorError ?? reporter!.report,
    wake: () => wake?.(),
  });
  const iterator = input[Symbol.asyncIterator]();
  try {
    let pending: Promise<IteratorResult<Line | readonly Line[]>> | undefined;
    for (;;) {
      if (chain.idleDue) yield* (await chain.flushIdle()).lines;
      pending ??= iterator.next();
      // Wait for input, or for a stateful processor's idle time to pass.
      const idle = new Promise<'idle'>((resolve) => (wake = () => resolve('idle')));
      const next = await Promise.race([pending, idle]);
      wake = undefined;
      if (next === 'idle') continue;
      pending = undefined;
      if (next.done) break;
      const batch = Array.isArray(next.value) ? (next.value as readonly Line[]) : [next.value as Line];
      const result = chain.run(batch);
      yield* (result instanceof Promise ? await result : result).lines;
      if (chain.stopped) throw chain.stopped;
    }
    yield* (await chain.end()).lines;
  } finally {
    await iterator.return?.();
    await chain.close();
    // Last: processors that fail to close are reported through it.
    reporter?.close();
  }
}
