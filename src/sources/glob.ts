import path from 'node:path';
import picomatch from 'picomatch';

/** A glob pattern split into the directory to search from and a matcher for paths below it. @internal */
export interface Glob {
  /** The pattern as given. */
  readonly pattern: string;
  /** The longest leading directory without wildcards ('.' when the pattern starts with one). */
  readonly base: string;
  /** How many directory levels below `base` can match (Infinity with `**`). */
  readonly depth: number;
  /** True when `file` (as built by joining `base` and entries below it) matches the pattern. */
  matches(file: string): boolean;
}

/** Longest brace range expanded (`{1..10000}`); a longer one matches nothing but itself, written out. */
const MAX_RANGE = 10_000;

/**
 * picomatch with the shell's semantics: `*`, `?` and `[…]` never match a leading dot nor a `/`; POSIX
 * classes (`[[:digit:]]`); braces, nested (`{a,{b,c}d}`) and across directories (`x/{a,b/c}.log`);
 * ranges as bash expands them (`{1..12}`, `{01..10}`, `{a..e}`, `{1..9..2}`); extglobs (`@(a|b)`, `!(x)`).
 */
const OPTIONS: picomatch.PicomatchOptions = { dot: false, posix: true, strictSlashes: true, regex: false, expandRange };

/**
 * True when `value` has wildcards: `*`, `?`, `[...]`, `{a,b}`, `{1..3}`, extglobs.
 * @internal
 * @example
 * ```ts
 * isGlob('logs/*.log'); // true
 * isGlob('app.log');    // false
 * ```
 */
export function isGlob(value: string): boolean {
  return picomatch.scan(value).isGlob;
}

/**
 * Compiles a shell-style pattern (see {@link OPTIONS}); `**` matches any number of directories (not
 * hidden ones). Matching is picomatch's; the walk below `base` is the caller's.
 * @internal
 * @example
 * ```ts
 * const glob = compileGlob('logs/{app,db/*}.log');
 * glob.base;                       // 'logs'
 * glob.depth;                      // 1
 * glob.matches('logs/db/x.log');   // true
 * ```
 */
export function compileGlob(pattern: string): Glob {
  const relative = pattern.startsWith('./') ? pattern.slice(2) : pattern;
  const scan = picomatch.scan(relative);
  const base = scan.base === '' ? (relative.startsWith('/') ? '/' : '.') : scan.base;
  const below = scan.base === '' ? relative.replace(/^\/+/, '') : scan.glob;
  const matcher = picomatch(literalParens(below), OPTIONS);
  // Braces may hold slashes (`{a,b/c}`): every slash of the glob part may be a level below the base.
  const depth = below.includes('**') ? Infinity : [...below].filter((c) => c === '/').length;
  const prefix = base === '.' ? '' : path.normalize(base).replace(/\/?$/, '/');
  // As in the shell, a hidden name matches only a pattern that spells its dot (`!(x)` would match `.x`).
  const spellsDot = /(^|[/{,|(])\./.test(below);
  return {
    pattern,
    base,
    depth,
    matches: (file) => {
      const name = base === '.' ? stripDot(file) : file;
      if (!name.startsWith(prefix)) return false;
      const rest = name.slice(prefix.length);
      return (spellsDot || !/(^|\/)\./.test(rest)) && matcher(rest);
    },
  };
}

/**
 * The pattern with `(`, `)` and `|` made literal outside extglobs and brackets, as in the shell (picomatch
 * would take them for a regular expression's group and alternation: `(x)+1.log` would not match itself).
 */
function literalParens(pattern: string): string {
  let out = '';
  let extglobs = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      const end = close === -1 ? i : close;
      out += pattern.slice(i, end + 1);
      i = end;
    } else if (c === '(' && i > 0 && '?*+@!'.includes(pattern[i - 1]!)) {
      extglobs++;
      out += c;
    } else if (c === ')' && extglobs > 0) {
      extglobs--;
      out += c;
    } else if ((c === '(' || c === ')' || c === '|') && extglobs === 0) {
      out += `\\${c}`;
    } else {
      out += c;
    }
  }
  return out;
}

function stripDot(file: string): string {
  return file.startsWith(`.${path.sep}`) ? file.slice(2) : file;
}

/**
 * A brace range as bash expands it, as a regular expression: numbers (zero-padded to the widest bound
 * when one is written with a leading zero), or single characters, with an optional step.
 */
function expandRange(...args: unknown[]): string {
  const [from, to, step] = args.filter((a): a is string => typeof a === 'string');
  const literal = () => `\\{${[from, to, step].filter((p) => p !== undefined).map(escape).join('\\.\\.')}\\}`;
  if (from === undefined || to === undefined) return literal();
  const by = Math.abs(Number(step ?? 1)) || 1;
  const numeric = /^[+-]?\d+$/;
  let items: string[];
  if (numeric.test(from) && numeric.test(to)) {
    const a = Number(from);
    const b = Number(to);
    if (Math.abs(b - a) / by >= MAX_RANGE) return literal();
    const padded = (s: string) => /^[+-]?0\d/.test(s);
    const width = padded(from) || padded(to) ? Math.max(from.replace(/^\+/, '').length, to.replace(/^\+/, '').length) : 0;
    items = sequence(a, b, by).map((n) => (n < 0 ? `-${String(-n).padStart(width - 1, '0')}` : String(n).padStart(width, '0')));
  } else if (from.length === 1 && to.length === 1) {
    items = sequence(from.charCodeAt(0), to.charCodeAt(0), by).map((c) => String.fromCharCode(c));
  } else {
    return literal();
  }
  return `(?:${items.map(escape).join('|')})`;
}

function sequence(a: number, b: number, by: number): number[] {
  const out: number[] = [];
  if (a <= b) for (let n = a; n <= b; n += by) out.push(n);
  else for (let n = a; n >= b; n -= by) out.push(n);
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
