/**
 * One line read from a source, with the byte positions that make it resumable.
 *
 * @example
 * ```ts
 * for await (const line of tail('app.log')) {
 *   console.log(`${line.source}:${line.lineNumber} @${line.offset}: ${line.text}`);
 * }
 * ```
 */
export interface Line {
  /** The decoded text, without its terminator (and without the `\r` of a `\r\n`). */
  readonly text: string;
  /** The source as it was given: the path, or `-` for standard input (or the stream's name). */
  readonly source: string;
  /** Byte offset of the line's first byte in its file (or stream). */
  readonly offset: number;
  /** Byte offset just past the line's terminator: where reading resumes after this line. */
  readonly end: number;
  /**
   * Line number within the source, starting at 1. It is the true line number in the file whenever
   * reading started at the file's first byte or at `fromLine`; after a start from the end (last N
   * lines or bytes) it counts the lines read. It starts again at 1 when a file is replaced or truncated.
   */
  readonly lineNumber: number;
  /**
   * The terminator that ended the line in the input: `'\n'`, `'\r\n'`, `'\0'` (with the NUL
   * delimiter), or `''` for a final line without one, or a piece of an over-long line that was split.
   * `text + eol` reproduces the input bytes (for valid text in the chosen encoding).
   */
  readonly eol: LineEnding;
}

/**
 * How a {@link Line} ended in its input.
 *
 * @example
 * ```ts
 * import { writeSync } from 'node:fs';
 * for await (const line of tail('app.log', { follow: false })) {
 *   const eol: LineEnding = line.eol;
 *   writeSync(1, line.text + eol); // the bytes of the input, terminators as they were
 * }
 * ```
 */
export type LineEnding = '\n' | '\r\n' | '\0' | '';

/**
 * Several complete lines as the bytes read (block mode, for the command when it only copies bytes):
 * `text` is empty, `bytes` holds the lines with their terminators, `offset`/`end` span them, and
 * `lineNumber` is the number of the last one. `bytes` is a view of the read buffer: valid only until the
 * next batch is asked for.
 * @internal
 */
export interface LineBlock extends Line {
  readonly bytes: Buffer;
}

/** True for a {@link LineBlock}. @internal */
export function isBlock(line: Line): line is LineBlock {
  return (line as Partial<LineBlock>).bytes !== undefined;
}
