import { optionError } from '../errors.js';
import { timerDelay } from '../timer-delay.js';
import type { RetryOptions } from './contract.js';

/** Retry options with every default applied. @internal */
export interface RetryPolicy {
  readonly retries: number;
  readonly minDelay: number;
  readonly maxDelay: number;
}

/** Checks retry options and applies the defaults (retry forever, 100 ms doubling up to 1 s). @internal */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const { retries = Infinity, minDelay = 100, maxDelay = 1_000 } = options;
  if (!(retries === Infinity || (Number.isSafeInteger(retries) && retries >= 0))) throw optionError(`pipeTo(): retry.retries must be a whole number >= 0 or Infinity, not ${retries}`);
  for (const [name, value] of [['minDelay', minDelay], ['maxDelay', maxDelay]] as const) {
    if (!Number.isFinite(value) || value < 0) throw optionError(`pipeTo(): retry.${name} must be a number of ms >= 0, not ${value}`);
  }
  if (maxDelay < minDelay) throw optionError('pipeTo(): retry.maxDelay must not be less than retry.minDelay');
  return { retries, minDelay, maxDelay };
}

/**
 * The wait before retry number `attempt` (1, 2, …): `minDelay · 2^(attempt−1)`, capped at `maxDelay`,
 * then drawn between half of it and all of it ("equal jitter"), so that many tailers cut off by one
 * outage do not all come back at the same instant, while none retries much sooner than planned.
 * @internal
 * @example
 * ```ts
 * backoff(3, { retries: Infinity, minDelay: 100, maxDelay: 5000 }); // between 200 and 400
 * ```
 */
export function backoff(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const planned = Math.min(policy.maxDelay, policy.minDelay * 2 ** Math.min(attempt - 1, 52));
  return planned / 2 + (planned / 2) * random();
}

/** Resolves after `ms`, or at once when `signal` aborts (it never rejects). @internal */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, timerDelay(ms));
    signal.addEventListener('abort', done, { once: true });
  });
}
