/**
 * The one error class tail-async throws. `code` says what kind of failure it is (an errno code such as
 * `ENOENT` for a file that could not be read, `ERR_TAIL_OPTION` for a bad option, `ABORT_ERR` when the
 * iteration was aborted); the underlying error, if any, is kept as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   for await (const line of tail('missing.log', { follow: false })) console.log(line.text);
 * } catch (error) {
 *   if (error instanceof TailError && error.code === 'ENOENT') console.error(error.message);
 * }
 * ```
 */
export class TailError extends Error {
  override readonly name: string = 'TailError';
  /** The kind of failure: an errno code, `ERR_TAIL_OPTION`, `ABORT_ERR`, or `ERR_CHECKPOINT_…` for the state file. */
  readonly code: string;
  /** The source the error concerns, when there is one. */
  readonly source: string | undefined;

  constructor(message: string, options: { code: string; source?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.source = options.source;
  }
}

/** A bad option value, named in the message. @internal */
export function optionError(message: string): TailError {
  return new TailError(message, { code: 'ERR_TAIL_OPTION' });
}

/**
 * The iteration (or shipping) was aborted, by the `signal` option or because the run was interrupted.
 * It follows the platform's convention for aborts: `name` is `'AbortError'` and `code` is `'ABORT_ERR'`,
 * as for `fetch()` or `stream.pipeline()`; `cause` is the signal's `reason` (a `TimeoutError` for
 * `AbortSignal.timeout()`). It is a {@link TailError}, so one `instanceof TailError` still catches
 * everything tail-async throws.
 *
 * @example
 * ```ts
 * try {
 *   for await (const line of tail('app.log', { signal: AbortSignal.timeout(1_000) })) console.log(line.text);
 * } catch (error) {
 *   if (!(error instanceof Error && error.name === 'AbortError')) throw error;
 * }
 * ```
 */
export class AbortError extends TailError {
  override readonly name: string = 'AbortError';

  constructor(message = 'The tail was aborted', options: { cause?: unknown } = {}) {
    super(message, { code: 'ABORT_ERR', cause: options.cause });
  }
}

/** The error a pending or later `next()` rejects with once the signal aborted. @internal */
export function abortError(signal: AbortSignal): AbortError {
  return new AbortError('The tail was aborted', { cause: signal.reason });
}

/**
 * A processor threw, rejected, timed out or returned something outside the contract on one line (or,
 * with `phase: 'close'`, failed to close; with `phase: 'idle'`, a plugin's thread ended between lines).
 * With the `log` and `pass` policies it is reported and the stream goes on; with `stop` the stream ends
 * with it. Failures to close are only reported: they never change how the stream ended.
 *
 * @example
 * ```ts
 * tail('app.log', {
 *   processors: [(text) => { JSON.parse(text); }], // a line that is not JSON fails
 *   onProcessorError: (e) => console.error(`${e.source}:${e.lineNumber} ${e.processor}: ${e.cause}`),
 * });
 * ```
 */
export class ProcessorError extends TailError {
  override readonly name: string = 'ProcessorError';
  /** The processor's name (its `name`, the function's name, or `#N` for its place in the chain). */
  readonly processor: string;
  /** Line number, within its source, of the line that failed (0 when no line was involved). */
  readonly lineNumber: number;
  /** Byte offset of that line (0 when no line was involved). */
  readonly offset: number;
  /** What the processor was doing: processing a line (`'line'`), closing, or idle between lines. */
  readonly phase: 'line' | 'close' | 'idle';

  constructor(options: { processor: string; source: string; lineNumber: number; offset: number; cause: unknown; phase?: 'line' | 'close' | 'idle' }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    const phase = options.phase ?? 'line';
    const where = phase === 'close' ? 'failed to close' : phase === 'idle' ? 'failed between lines' : `failed on ${options.source}:${options.lineNumber}`;
    super(`processor '${options.processor}' ${where}: ${reason}`, {
      code: 'ERR_PROCESSOR',
      source: options.source,
      cause: options.cause,
    });
    this.processor = options.processor;
    this.lineNumber = options.lineNumber;
    this.offset = options.offset;
    this.phase = phase;
  }
}

/**
 * A plugin could not be loaded (code `ERR_PLUGIN`): not found, a package that cannot be resolved, a
 * broken `package.json`, a syntax error (with file, line and column), a factory that threw, or a
 * default export that is no processor. The message is one line naming the plugin.
 *
 * @example
 * ```ts
 * try {
 *   await loadPlugin('./redact.mjs');
 * } catch (error) {
 *   if (error instanceof PluginError) console.error(error.message);
 * }
 * ```
 */
export class PluginError extends TailError {
  override readonly name: string = 'PluginError';
  /** The plugin as it was named (`./redact.mjs`, `some-package/sub`). */
  readonly plugin: string;

  constructor(message: string, options: { plugin: string; cause?: unknown }) {
    super(message, { code: 'ERR_PLUGIN', cause: options.cause });
    this.plugin = options.plugin;
  }
}

/**
 * Shipping to a sink failed for good: the engine could not be reached at the start
 * (`ERR_SINK_OPEN`), a batch was still not acknowledged after the last retry (`ERR_SINK_RETRIES`),
 * or the engine refused it in a way no retry can fix (`ERR_SINK_REJECTED`, such as a Redis key of
 * another type). Lines that were not acknowledged were not committed: the next run ships them again.
 *
 * @example
 * ```ts
 * try {
 *   await tail('app.log', { checkpoint: 'tail.state' }).pipeTo(sink, { retry: { retries: 5 } });
 * } catch (error) {
 *   if (error instanceof SinkError) console.error(`${error.sink}: ${error.message}`);
 * }
 * ```
 */
export class SinkError extends TailError {
  override readonly name: string = 'SinkError';
  /** The sink's name (its URL without credentials). */
  readonly sink: string;

  constructor(message: string, options: { code: 'ERR_SINK_OPEN' | 'ERR_SINK_RETRIES' | 'ERR_SINK_REJECTED'; sink: string; cause?: unknown }) {
    super(message, { code: options.code, cause: options.cause });
    this.sink = options.sink;
  }
}
