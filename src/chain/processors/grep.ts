import type { ProcessorObject } from '../types.js';
import { compilePatterns } from './patterns.js';
import { isLiteralPattern, KEEPS_ONLY_CONTAINING, STATELESS } from '../prefilter.js';

/** Options of {@link grep}. */
export interface GrepOptions {
  /** Match without regard to case (adds the `i` flag, also to `RegExp` patterns). */
  readonly ignoreCase?: boolean;
}

/**
 * A processor that keeps only the lines matching at least one of `patterns` and drops the others. A
 * string pattern is a JavaScript regular expression (Unicode-aware when it is valid as one); an invalid
 * one throws a `TailError` with code `ERR_TAIL_OPTION` here, not on the first line.
 *
 * @example
 * ```ts
 * for await (const line of tail('app.log', { processors: [grep(['ERROR', /timeout/], { ignoreCase: true })] })) {
 *   console.log(line.text);
 * }
 * ```
 */
export function grep(patterns: ReadonlyArray<string | RegExp>, options: GrepOptions = {}): ProcessorObject {
  const regexps = compilePatterns(patterns, '--grep', { ignoreCase: options.ignoreCase === true });
  // Literal patterns, matched with case: a line without any of them cannot match (files use that to
  // skip such lines undecoded when grep comes first).
  const literal = options.ignoreCase !== true && patterns.every(isLiteralPattern);
  return {
    name: 'grep',
    [STATELESS]: true,
    process(text) {
      for (const regexp of regexps) if (regexp.test(text)) return undefined;
      return null;
    },
    ...(literal && { [KEEPS_ONLY_CONTAINING]: [...patterns] }),
  };
}
