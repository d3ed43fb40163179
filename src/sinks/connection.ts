import { describeSinkError } from './describe.js';

/**
 * An error a sink's `send()` rejects with. `retryable: false` tells `pipeTo` that no retry can help (the
 * engine refused the lines for what they are, or for what the sink is configured to do).
 * @internal
 */
export class SendError extends Error {
  override readonly name = 'SendError';
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** The engine is not connected now (`status`), for the last connection error's reason. @internal */
export function unavailable(lastError: unknown, status: string): SendError {
  const reason = lastError === undefined ? status : describeSinkError(lastError);
  return new SendError(`not connected (${reason})`, { retryable: true, cause: lastError });
}

/** The engine answered a command with `error`: retried unless `permanent`. @internal */
export function refusal(error: Error, permanent: boolean): SendError {
  return new SendError(describeSinkError(error), { retryable: !permanent, cause: error });
}

/**
 * Closes a client gracefully (`graceful`: waits for replies still due), or at once (`force`) if that
 * fails or takes longer than `ms` — a client of an engine that is down must not hold up the exit.
 * @internal
 */
export async function closeQuietly(graceful: () => Promise<unknown>, force: () => unknown, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([graceful().catch(() => {}), late]);
  clearTimeout(timer);
  force();
}
