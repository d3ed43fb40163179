import type { ProcessorObject } from '../types.js';
import { compilePatterns } from './patterns.js';

/** Options of {@link highlight}. */
export interface HighlightOptions {
  /** Match without regard to case (adds the `i` flag, also to `RegExp` patterns). */
  readonly ignoreCase?: boolean;
}

/** Bold red, and back to normal. */
const ON = '\x1b[1;31m';
const OFF = '\x1b[0m';

/**
 * A processor that wraps every match of any of `patterns` in bold red ANSI escapes; lines without a
 * match are left unchanged. Matches are taken left to right; where several patterns match at the same
 * place the longest match wins, and a match never overlaps an earlier one. Empty matches are ignored.
 * Whether colour is wanted at all (TTY, `NO_COLOR`) is for the caller to decide.
 *
 * @example
 * ```ts
 * const hl = highlight(['error', /\b5\d\d\b/], { ignoreCase: true });
 * hl.process('GET / 503 Error', ctx); // 'GET / \x1b[1;31m503\x1b[0m \x1b[1;31mError\x1b[0m'
 * ```
 */
export function highlight(patterns: ReadonlyArray<string | RegExp>, options: HighlightOptions = {}): ProcessorObject {
  // The CLI highlights the --grep patterns, so that is the flag an invalid one is reported under.
  const regexps = compilePatterns(patterns, '--grep', { ignoreCase: options.ignoreCase === true, global: true });
  // Each pattern keeps its own flags (some strings compile with `u`, some without; RegExp inputs keep
  // theirs) and its own group numbering, which one combined alternation could not; so each is searched
  // on its own, and its next match is reused until the scan has passed its start.
  const next: Array<RegExpExecArray | null | undefined> = regexps.map(() => undefined);
  return {
    name: 'highlight',
    process(text) {
      next.fill(undefined);
      let out = '';
      let copied = 0;
      for (;;) {
        let best: RegExpExecArray | null = null;
        for (let i = 0; i < regexps.length; i++) {
          let match = next[i];
          if (match === undefined || (match !== null && match.index < copied)) {
            match = nextMatch(regexps[i] as RegExp, text, copied);
            next[i] = match;
          }
          if (match !== null && (best === null || match.index < best.index || (match.index === best.index && match[0].length > best[0].length))) {
            best = match;
          }
        }
        if (best === null) break;
        out += `${text.slice(copied, best.index)}${ON}${best[0]}${OFF}`;
        copied = best.index + best[0].length;
      }
      return out === '' ? undefined : out + text.slice(copied);
    },
  };
}

/** The first non-empty match of the global `regexp` in `text` at or after `from`. */
function nextMatch(regexp: RegExp, text: string, from: number): RegExpExecArray | null {
  regexp.lastIndex = from;
  for (;;) {
    const match = regexp.exec(text);
    if (match === null) return null;
    if (match[0].length > 0) return match;
    // An empty match: step past it (a whole code point under `u`) or the search would never move.
    const code = text.codePointAt(match.index);
    const wide = code !== undefined && code > 0xffff && (regexp.unicode || regexp.flags.includes('v'));
    regexp.lastIndex = match.index + (wide ? 2 : 1);
    if (regexp.lastIndex > text.length) return null;
  }
}
