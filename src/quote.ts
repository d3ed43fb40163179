/**
 * File names in messages, quoted as GNU coreutils 9.1 quotes them (gnulib quotearg's shell-escape styles),
 * so that a name holding escape sequences cannot drive the terminal and can be pasted back into a shell.
 * Hand-written: no npm package implements these styles (shell-quote and the like backslash-escape, which
 * is neither GNU's output nor safe for control characters).
 */

/** The C escapes quotearg uses inside `$'…'`; other unprintable bytes are written in octal. */
const C_ESCAPES: Readonly<Record<string, string>> = { '\x07': 'a', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't', '\v': 'v' };

/** Characters special to a shell anywhere in a word (quotearg forces quotes for them). */
const SPECIAL = new Set([...' !"$&()*;<=>[^`|?\\\'']);

/** Whether `ch` prints as itself on a terminal: no C0/C1 control, no DEL, no lone surrogate. */
function printable(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return false;
  return !(code >= 0xd800 && code <= 0xdfff);
}

/** Whether quotearg would put quotes around `ch` at index `i` of a name of `length` characters. */
function needsQuotes(ch: string, i: number, length: number): boolean {
  if (!printable(ch) || SPECIAL.has(ch)) return true;
  if ((ch === '{' || ch === '}') && length === 1) return true;
  return (ch === '#' || ch === '~') && i === 0;
}

/**
 * Whether `ch` can stand inside double quotes as itself (quotearg's c_and_shell_quote_compat): a name whose
 * only problem is an apostrophe is written `"it's"` rather than `'it'\''s'`.
 */
function doubleQuotable(ch: string, i: number, length: number): boolean {
  if (ch === "'" || ch === ' ') return true;
  if (ch === '{' || ch === '}') return length === 1;
  if (ch === '#' || ch === '~') return i === 0;
  return printable(ch) && !SPECIAL.has(ch);
}

/** The bytes of one character, for an octal escape (a lone surrogate stands for the byte it replaced). */
function bytesOf(ch: string): number[] {
  const code = ch.codePointAt(0)!;
  if (code >= 0xdc80 && code <= 0xdcff) return [code - 0xdc00];
  return [...Buffer.from(ch, 'utf8')];
}

/**
 * `name` always in quotes, as GNU's `quoteaf` writes it (`cannot open 'a b' for reading`):
 * `'name'`, `"it's"`, `'bad'$'\033''name'`.
 * @internal
 * @example
 * ```ts
 * quoteAlways('app.log');            // 'app.log'
 * quoteAlways("it's.log");           // "it's.log"
 * quoteAlways('x\x1b]0;PWNED\x07');  // 'x'$'\033'']0;PWNED'$'\a'
 * ```
 */
export function quoteAlways(name: string): string {
  const chars = [...name];
  let out = "'";
  let inEscape = false;
  let doubleQuotes = true;
  let apostrophe = false;
  chars.forEach((ch, i) => {
    if (!doubleQuotable(ch, i, chars.length)) doubleQuotes = false;
    if (!printable(ch)) {
      const escapes = C_ESCAPES[ch] !== undefined ? [C_ESCAPES[ch]] : bytesOf(ch).map((b) => b.toString(8).padStart(3, '0'));
      for (const escape of escapes) {
        if (!inEscape) out += "'$'";
        inEscape = true;
        out += `\\${escape}`;
      }
      return;
    }
    if (ch === "'") {
      apostrophe = true;
      out += "'\\''";
    } else {
      if (inEscape) out += "''";
      out += ch;
    }
    inEscape = false;
  });
  return apostrophe && doubleQuotes ? `"${name}"` : `${out}'`;
}

/**
 * `name` bare when no character in it needs quoting, else as {@link quoteAlways}: GNU's `quotef`
 * (`app.log: file truncated`, `'a b': file truncated`).
 * @internal
 * @example
 * ```ts
 * quoteIfNeeded('app.log'); // app.log
 * quoteIfNeeded('a b');     // 'a b'
 * ```
 */
export function quoteIfNeeded(name: string): string {
  const chars = [...name];
  return chars.length > 0 && !chars.some((ch, i) => needsQuotes(ch, i, chars.length)) ? name : quoteAlways(name);
}
