import { optionError } from '../../errors.js';

/** How {@link compilePatterns} builds its regular expressions. @internal */
export interface PatternOptions {
  /** Adds the `i` flag, also to `RegExp` inputs that lack it. */
  readonly ignoreCase?: boolean;
  /**
   * Adds the `g` flag, for callers that scan with `lastIndex`. Without it, `g` and `y` are removed so
   * that `test()` keeps no state between lines.
   */
  readonly global?: boolean;
}

/**
 * Compiles and validates the patterns of a processor, once. A string is a JavaScript regular expression,
 * compiled with the `u` flag when it is valid under it (and without it otherwise); a `RegExp` keeps its
 * own flags apart from `i`, `g` and `y` (see {@link PatternOptions}). `flag` names the option in errors.
 *
 * @example
 * ```ts
 * compilePatterns(['timeout', /5\d\d/], '--grep', { ignoreCase: true }); // [/timeout/iu, /5\d\d/i]
 * compilePatterns(['('], '--grep'); // throws: invalid regular expression for --grep: '(': ...
 * ```
 * @internal
 */
export function compilePatterns(
  patterns: ReadonlyArray<string | RegExp>,
  flag: string,
  options: PatternOptions = {},
): RegExp[] {
  if (!Array.isArray(patterns) || patterns.length === 0) {
    throw optionError(`${flag} needs at least one pattern`);
  }
  return patterns.map((pattern) => compilePattern(pattern, flag, options));
}

/** One pattern of {@link compilePatterns}. @internal */
export function compilePattern(pattern: string | RegExp, flag: string, options: PatternOptions = {}): RegExp {
  const extra = (options.ignoreCase === true ? 'i' : '') + (options.global === true ? 'g' : '');
  if (pattern instanceof RegExp) {
    const own = pattern.flags.replace(/[gyi]/g, '');
    const keepCase = options.ignoreCase !== true && pattern.ignoreCase ? 'i' : '';
    return new RegExp(pattern.source, own + keepCase + extra);
  }
  if (typeof pattern !== 'string') {
    throw optionError(`${flag} expects a regular expression (string or RegExp), not ${typeof pattern}`);
  }
  try {
    return new RegExp(pattern, `u${extra}`);
  } catch {
    // Valid without `u` only: patterns such as `\-` or `a{` that are legacy syntax.
  }
  try {
    return new RegExp(pattern, extra);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw optionError(`invalid regular expression for ${flag}: '${pattern}': ${reason}`);
  }
}
