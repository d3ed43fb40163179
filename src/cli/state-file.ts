import { TailError } from '../errors.js';
import { describeErrno, type Notice } from '../notices.js';
import { quoteAlways } from '../quote.js';

/**
 * Codes of the errors that refuse a state file at the start (unwritable, locked by another process,
 * among the inputs, unreadable, of another version): the command exits with status 2, since running
 * it again as it is will not help.
 */
const REFUSALS = new Set(['ERR_CHECKPOINT_UNWRITABLE', 'ERR_CHECKPOINT_LOCKED', 'ERR_CHECKPOINT_INPUT', 'ERR_CHECKPOINT_READ', 'ERR_CHECKPOINT_VERSION']);

/**
 * True for an error that refused the state file before anything was read.
 *
 * @example
 * ```ts
 * if (isStateFileRefusal(error)) return EXIT.usage;
 * ```
 * @internal
 */
export function isStateFileRefusal(error: unknown): error is TailError {
  return error instanceof TailError && REFUSALS.has(error.code);
}

/**
 * Follows the state file's saves through the notices of a run: a failed save (reported once by the
 * checkpoint) is pending until one succeeds again. If one is still pending when the run ends, the
 * state file is behind what was written, and the command says so and fails.
 *
 * @example
 * ```ts
 * const saves = new StateFileSaves();
 * tail(files, { checkpoint, onNotice: (n) => saves.see(n) });
 * const message = saves.unsaved(); // set when the last save failed
 * ```
 * @internal
 */
export class StateFileSaves {
  private failure: Notice | undefined;

  /** Takes note of a notice (any kind: only the state file's count). */
  see(notice: Notice): void {
    if (notice.type === 'error' && notice.error.code === 'ERR_CHECKPOINT_WRITE') this.failure = notice;
    else if (notice.type === 'recovered') this.failure = undefined;
  }

  /** The message to end with when the last save failed; undefined when it succeeded. */
  unsaved(): string | undefined {
    const failure = this.failure;
    if (failure?.type !== 'error') return undefined;
    const reason = describeErrno((failure.error.cause ?? failure.error) as NodeJS.ErrnoException);
    return `state file ${quoteAlways(failure.source)} could not be saved before exit: ${reason}`;
  }
}
