/** A mistake in how the command was called: reported in one line, with exit status 2. @internal */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
