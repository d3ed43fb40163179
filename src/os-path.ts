/**
 * File names that are not valid UTF-8, carried in strings. Node decodes names (arguments, `readdir`) as
 * UTF-8 and replaces what is not with U+FFFD, which no longer names the file. Here a byte that is not
 * part of valid UTF-8 is kept as the lone surrogate U+DC80–U+DCFF (Python's "surrogateescape"), and
 * {@link osPath} gives the exact bytes back to `fs`. A name that is valid UTF-8 is an ordinary string.
 * Hand-written: Node has no such codec, and no npm package provides one.
 */

/** A byte kept as a lone surrogate (not the second half of a pair: U+10480 is D801 DC80). */
const ESCAPED = /(?<![\ud800-\udbff])[\udc80-\udcff]/;
const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * The name `fs` should be given for `name`: the string itself, or, when it carries escaped bytes, a
 * Buffer of the exact bytes.
 * @internal
 * @example
 * ```ts
 * osPath('app.log');              // 'app.log'
 * osPath('bad\udcff.log');        // <Buffer 62 61 64 ff 2e 6c 6f 67>
 * ```
 */
export function osPath(name: string): string | Buffer {
  if (!ESCAPED.test(name)) return name;
  const bytes: number[] = [];
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xdc80 && code <= 0xdcff) bytes.push(code - 0xdc00);
    else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes);
}

/**
 * A name read from the system as bytes (`readdir` with `encoding: 'buffer'`, `/proc/self/cmdline`), as a
 * string: UTF-8, with each byte outside valid UTF-8 kept as U+DC80 + byte.
 * @internal
 * @example
 * ```ts
 * fromOsBytes(Buffer.from([0x62, 0xff])); // 'b\udcff'
 * ```
 */
export function fromOsBytes(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    // not valid UTF-8: decode sequence by sequence below
  }
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]!);
      i++;
    } else {
      out += strict.decode(bytes.subarray(i, i + length));
      i += length;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlong forms, no surrogates), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * The command's arguments as the kernel holds them: on Linux, read from /proc/self/cmdline so that an
 * argument that is not valid UTF-8 keeps its bytes (see {@link fromOsBytes}); elsewhere, or if that
 * cannot be read or does not agree, Node's `process.argv` (such an argument then names no file).
 * @internal
 */
export function rawArguments(argv: readonly string[], readCmdline: () => Buffer): string[] {
  let raw: string[];
  try {
    const parts = readCmdline().toString('latin1').split('\0');
    if (parts.at(-1) === '') parts.pop();
    raw = parts.slice(parts.length - argv.length).map((p) => fromOsBytes(Buffer.from(p, 'latin1')));
  } catch {
    return [...argv];
  }
  // Node's own decoding of each argument must be the same text but for the bytes it replaced.
  const agrees = raw.length === argv.length && raw.every((r, i) => r.replace(new RegExp(ESCAPED.source, 'g'), '').replace(/\ufffd+/g, '') === argv[i]!.replace(/\ufffd+/g, ''));
  return agrees ? raw : [...argv];
}
