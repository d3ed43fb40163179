import { isAscii, isUtf8 } from 'node:buffer';
import type { SinkLine } from './contract.js';
import { chunkOf } from './identity.js';

/**
 * Records `from` to `to` (excluded) as the bytes they were read from, when these are exactly what
 * encoding their texts in UTF-8 gives: with `terminated`, each text followed by `\n` (so each line must
 * have ended with `\n`), else the texts alone (for one line). A view of the bytes kept with the lines:
 * nothing is encoded or copied (but the first bytes of a line that began in the read before). Undefined when those bytes are not known (lines of a stream, or out of
 * the processors) or differ: lines not consecutive in one read, ended otherwise (`\r\n`, NUL), cut short
 * (`maxLineBytes`), or bytes that did not decode to their texts one for one (neither ASCII nor valid
 * UTF-8 read as UTF-8).
 * @internal
 * @example
 * ```ts
 * const payload = rawBytes([record], 0, 1, false) ?? record.line.text; // the line's bytes as read, else its text
 * ```
 */
export function rawBytes(records: readonly SinkLine[], from: number, to: number, terminated: boolean): Uint8Array | undefined {
  const chunk = chunkOf(records[from]!);
  if (!chunk || to <= from) return undefined;
  let chars = 0;
  let end = records[from]!.line.offset;
  for (let i = from; i < to; i++) {
    const record = records[i]!;
    const { line } = record;
    if (line.offset !== end || (terminated && line.eol !== '\n') || (i > from && chunkOf(record) !== chunk)) return undefined;
    chars += line.text.length;
    end = line.end;
  }
  // Without terminators, the line's own (its bytes are its characters: ASCII) is left out.
  const stop = (terminated ? end : end - records[to - 1]!.line.eol.length) - chunk.offset;
  const start = records[from]!.line.offset - chunk.offset;
  if (stop > chunk.bytes.length || stop < 0) return undefined;
  let bytes = chunk.bytes.subarray(Math.max(start, 0), stop);
  if (start < 0) {
    // The first line began in the read before: its first bytes are kept with the chunk.
    const before = chunk.before;
    if (!before || before.length < -start) return undefined;
    bytes = Buffer.concat([before.subarray(before.length + start), bytes]);
  }
  const newlines = terminated ? to - from : 0;
  // A character a byte: the texts are the bytes unless one was cut short (then they are fewer).
  if (isAscii(bytes)) return chars + newlines === bytes.length ? bytes : undefined;
  if (!chunk.utf8 || !isUtf8(bytes)) return undefined;
  // Valid UTF-8 read as UTF-8 decodes to itself, and a line cut short is cut between characters (fewer
  // bytes again), unless the cut fell within one: a U+FFFD then stands for its bytes.
  let encoded = newlines;
  for (let i = from; i < to; i++) {
    const { text } = records[i]!.line;
    if (text.includes('\uFFFD')) return undefined;
    encoded += Buffer.byteLength(text, 'utf8');
  }
  return encoded === bytes.length ? bytes : undefined;
}
