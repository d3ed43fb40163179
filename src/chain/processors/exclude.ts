import type { ProcessorObject } from '../types.js';
import { STATELESS } from '../prefilter.js';
import { compilePatterns } from './patterns.js';

/** Options of {@link exclude}. */
export interface ExcludeOptions {
  /** Match without regard to case (adds the `i` flag, also to `RegExp` patterns). */
  readonly ignoreCase?: boolean;
}

/**
 * A processor that drops the lines matching any of `patterns` and keeps the others: the opposite of
 * {@link grep}, with the same pattern rules (an invalid pattern throws a `TailError` with code
 * `ERR_TAIL_OPTION` here).
 *
 * @example
 * ```ts
 * for await (const line of tail('access.log', { processors: [exclude(['GET /health', /\.(css|js)\b/])] })) {
 *   console.log(line.text);
 * }
 * ```
 */
export function exclude(patterns: ReadonlyArray<string | RegExp>, options: ExcludeOptions = {}): ProcessorObject {
  const regexps = compilePatterns(patterns, '--exclude', { ignoreCase: options.ignoreCase === true });
  return {
    name: 'exclude',
    [STATELESS]: true,
    process(text) {
      for (const regexp of regexps) if (regexp.test(text)) return null;
      return undefined;
    },
  };
}
