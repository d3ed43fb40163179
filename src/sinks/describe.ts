/**
 * An engine's error in a few words for a one-line message: its message without a final period, or its
 * code; the first of an aggregate (a connection tried on several addresses).
 * @internal
 * @example
 * ```ts
 * describeSinkError(new Error('connect ECONNREFUSED 127.0.0.1:6379.')); // 'connect ECONNREFUSED 127.0.0.1:6379'
 * ```
 */
export function describeSinkError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeSinkError(error.errors[0]);
  if (error instanceof Error) {
    const text = error.message.trim().replace(/\.$/, '');
    if (text !== '') return text;
    const code = (error as NodeJS.ErrnoException).code;
    return code ?? error.name;
  }
  return String(error);
}
