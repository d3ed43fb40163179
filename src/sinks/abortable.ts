/** What {@link untilAborted} resolves with when the signal aborted first. @internal */
export const ABORTED: unique symbol = Symbol('aborted');

/**
 * Settles like `promise`, or resolves with {@link ABORTED} as soon as `signal` aborts, whichever comes
 * first. Unlike `Promise.race([promise, untilStop])`, it leaves nothing behind once settled: a race with
 * a promise that stays pending for the whole run adds a reaction to it at every call, and each reaction
 * keeps that call's result (a batch of lines, its acknowledgments) reachable until the run ends.
 * @internal
 * @example
 * ```ts
 * const result = await untilAborted(batches.next(), stop.signal);
 * if (result === ABORTED) return; // stopping: what the read gives later is not shipped
 * ```
 */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise<T | typeof ABORTED>((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
