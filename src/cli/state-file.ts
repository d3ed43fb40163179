import { TailError } from '../errors.js';

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
