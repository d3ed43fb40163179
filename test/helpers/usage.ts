import { UsageError } from '../../src/cli/usage-error.js';

/** The message of the UsageError that `run` throws, or 'accepted' when it throws none (other errors are rethrown). */
export function refusalOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return error.message;
  }
  return 'accepted';
}
