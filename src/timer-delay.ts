/**
 * The longest delay a Node timer keeps: 2³¹−1 ms, about 24.8 days. A longer one fires after 1 ms
 * instead (with a TimeoutOverflowWarning), so every delay is clamped to it first.
 * @internal
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `ms` as a timer delay: at most {@link MAX_TIMER_MS} (a longer wait means "practically never", and
 * waits that long), at least 1, and 1 for anything that is not a number.
 * @internal
 * @example
 * ```ts
 * setTimeout(fire, timerDelay(2_200_000_000)); // fires after 24.8 days, not after 1 ms
 * ```
 */
export function timerDelay(ms: number): number {
  return ms >= MAX_TIMER_MS ? MAX_TIMER_MS : ms >= 1 ? ms : 1;
}
