import { isAscii } from 'node:buffer';
import type { Line, LineBlock, LineEnding } from './line.js';

/**
 * Bytes of ASCII decoded into one string (see frameComplete): small enough for V8's young generation
 * and to bound what a kept line keeps alive; 8 KiB measured slower, 16 and 32 KiB alike.
 */
const TEXT_WINDOW = 16 * 1024;

/** How a {@link Framer} cuts and decodes lines. @internal */
export interface FramerOptions {
  /** Name put in each line's `source`. */
  readonly source: string;
  /** Delimiter byte: 10 (`\n`) or 0 (NUL). */
  readonly delimiter: 10 | 0;
  /** Longest line kept whole, in bytes. */
  readonly maxLineBytes: number;
  /** Longer lines are split into pieces, or truncated (the rest skipped up to the delimiter). */
  readonly overlong: 'split' | 'truncate';
  readonly encoding: 'utf8' | 'latin1' | 'ascii';
  /** File offset of the first byte that will be pushed. Default 0. */
  readonly startOffset?: number;
  /** Number given to the first complete line. Default 1. */
  readonly firstLineNumber?: number;
  /** Complete lines to drop, undecoded, before emitting any (for `fromLine`). Default 0. */
  readonly skipLines?: number;
  /** Told about every over-long line, with the offset where it was cut. */
  readonly onTooLong?: (offset: number) => void;
  /**
   * Block mode, for a consumer that only copies bytes (the command without processors): the complete
   * lines of a chunk come as one {@link LineBlock}, a view of the chunk itself. Only with `latin1` and
   * `overlong: 'split'`, and only for a consumer that is done with a batch before asking for the next.
   */
  readonly blocks?: boolean;
  /**
   * Lines that contain none of these byte strings are counted but not framed: the first processor
   * (a `grep` of literals) would drop them (see `prefilterOf`). Lines longer than `maxLineBytes` are
   * framed anyway, so that they are reported.
   */
  readonly prefilter?: readonly Buffer[];
}

/**
 * Turns a byte stream into {@link Line}s. It frames bytes first and decodes only finished lines, so a
 * multi-byte character split across chunks is never cut (the delimiter byte never occurs inside one),
 * every line keeps exact byte offsets, and an unfinished line is held, bounded by `maxLineBytes`, until
 * its delimiter arrives or {@link Framer.flush} is called.
 * @internal
 */
export class Framer {
  private opts: FramerOptions;
  private readonly eol: LineEnding;
  /** Bytes of the unfinished line, copied out of their chunks. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** File offset of the first byte of the unfinished line. */
  private lineStart: number;
  /** In truncate mode, once the unfinished line passed the limit: drop bytes up to the delimiter. */
  private discarding = false;
  /** While discarding: whether the last dropped byte was a CR (so a following `\n` ends a `\r\n`). */
  private droppedCR = false;
  private skip: number;
  /** File offset of the next byte to be pushed. */
  position: number;
  /** Number the next complete line will get. */
  lineNumber: number;

  constructor(options: FramerOptions) {
    this.opts = options;
    this.eol = options.delimiter === 10 ? '\n' : '\0';
    this.position = options.startOffset ?? 0;
    this.lineStart = this.position;
    this.lineNumber = options.firstLineNumber ?? 1;
    this.skip = options.skipLines ?? 0;
  }

  /** Bytes held for the unfinished line. */
  get bufferedBytes(): number {
    return this.heldBytes;
  }

  /** Offset of the first byte of the unfinished line (the read position when none is held). */
  get unfinishedStart(): number {
    return this.heldBytes > 0 || this.discarding ? this.lineStart : this.position;
  }

  /**
   * The bytes of the unfinished line, from its first byte to the read position (which the next chunk
   * pushed continues); undefined when none is held, or when they are not all kept (a line past the limit
   * in truncate mode).
   */
  get heldLine(): Buffer | undefined {
    if (this.heldBytes === 0 || this.discarding || this.lineStart + this.heldBytes !== this.position) return undefined;
    return this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
  }

  /** Lines framed from now on carry `source` as their source. */
  rename(source: string): void {
    this.opts = { ...this.opts, source };
  }

  /** Frames `chunk`, which follows the bytes pushed so far, appending finished lines to `out`. */
  push(chunk: Buffer, out: Line[]): void {
    const base = this.position;
    const delimiter = this.opts.delimiter;
    let pos = 0;
    // The line held from earlier chunks, and lines still to skip, take the careful path.
    while (pos < chunk.length && (this.heldBytes > 0 || this.discarding || this.skip > 0)) {
      const idx = chunk.indexOf(delimiter, pos);
      if (idx === -1) break;
      this.finish(chunk, pos, idx, base, out);
      pos = idx + 1;
    }
    if (this.heldBytes === 0 && !this.discarding && this.skip === 0) pos = this.frameComplete(chunk, pos, base, out);
    if (pos < chunk.length) this.hold(chunk, pos, base, out);
    this.position = base + chunk.length;
  }

  /**
   * Emits the bytes of the unfinished line held so far as a piece without terminator, like a piece of a
   * split over-long line: the rest of the line comes as the next piece, with the same line number. A CR
   * that may begin a CRLF, and the start of a UTF-8 character not complete yet, stay held.
   */
  release(out: Line[]): void {
    if (this.skip > 0 || this.discarding || this.heldBytes === 0) return;
    const buf = this.takeHeld();
    const end = this.completeUpTo(buf, buf.length - this.pendingCR(buf));
    if (end <= 0) return;
    this.emit(buf, 0, end, this.lineStart, this.lineStart + end, '', out);
    this.lineStart += end;
    this.held = end < buf.length ? [Buffer.from(buf.subarray(end))] : [];
    this.heldBytes = buf.length - end;
  }

  /** Emits the unfinished line, if any, as a line without terminator (end of file, or file closed). */
  flush(out: Line[]): void {
    if (this.skip > 0 || (this.heldBytes === 0 && !this.discarding)) {
      this.clearHeld(this.position);
      return;
    }
    // A CR held back as a possible CRLF is text after all: apply the limit to it now.
    if (!this.discarding && this.heldBytes > this.opts.maxLineBytes) this.limitHeld(out, true);
    const buf = this.takeHeld();
    this.emit(buf, 0, buf.length, this.lineStart, this.position, '', out);
    this.lineNumber++;
    this.clearHeld(this.position);
  }

  /**
   * The hot path: the complete lines of chunk[from, …) when nothing is held or skipped. Returns where
   * the unfinished rest starts. The lines are framed a window of about TEXT_WINDOW bytes at a time; a
   * window of pure ASCII (any window, in latin1) is decoded once and its lines are cut from that string,
   * since a character is a byte there and string indexes are byte offsets. Measured on 100-byte lines
   * (50 MB in 1 MiB chunks): decoding each line on its own framed ~1.8× fewer lines a second; decoding a
   * whole 1 MiB chunk at once was slower still (strings that large skip V8's young generation, and each
   * one costs fresh pages).
   * A line is a V8 slice of its window's string: keeping a line keeps that string (≤ ~16 KiB) alive.
   */
  private frameComplete(chunk: Buffer, from: number, base: number, out: Line[]): number {
    const delimiter = this.opts.delimiter;
    const last = chunk.lastIndexOf(delimiter);
    if (last < from) return from;
    if (this.opts.blocks && this.frameBlock(chunk, from, last, base, out)) return last + 1;
    if (this.opts.prefilter) {
      this.frameFiltered(chunk, from, last, base, out, this.opts.prefilter);
      return last + 1;
    }
    const encoding = this.opts.encoding;
    let pos = from;
    while (pos <= last) {
      // The window ends with the last delimiter within TEXT_WINDOW bytes (or the first one after them).
      let stop = last - pos <= TEXT_WINDOW ? last : chunk.lastIndexOf(delimiter, pos + TEXT_WINDOW);
      if (stop < pos) stop = chunk.indexOf(delimiter, pos + TEXT_WINDOW);
      // Pure ASCII decodes alike in every encoding. Beyond it only latin1 maps each byte to itself: `ascii`
      // drops the high bit (0x8A would become a newline), UTF-8 has multi-byte characters.
      if (encoding !== 'latin1' && !isAscii(chunk.subarray(pos, stop))) this.frameEach(chunk, pos, stop, base, out);
      else this.frameText(chunk.toString('latin1', pos, stop + 1), chunk, pos, base + pos, out);
      pos = stop + 1;
    }
    return pos;
  }

  /** The lines of `text`: chunk[from, …) decoded one character per byte, ending with a delimiter. */
  private frameText(text: string, chunk: Buffer, from: number, base: number, out: Line[]): void {
    const delimiter = this.eol;
    const crlf = this.opts.delimiter === 10;
    const max = this.opts.maxLineBytes;
    const source = this.opts.source;
    let pos = 0;
    while (pos < text.length) {
      const idx = text.indexOf(delimiter, pos);
      if (idx - pos > max) {
        this.complete(chunk, from + pos, from + idx, base + pos, base + idx + 1, out);
        this.lineNumber++;
      } else {
        let end = idx;
        let eol = this.eol;
        if (crlf && end > pos && text.charCodeAt(end - 1) === 13) {
          end--;
          eol = '\r\n';
        }
        out.push({ text: text.slice(pos, end), source, offset: base + pos, end: base + idx + 1, lineNumber: this.lineNumber++, eol });
      }
      pos = idx + 1;
    }
  }

  /** The lines of chunk[from, last], `last` being a delimiter, each decoded on its own. */
  private frameEach(chunk: Buffer, from: number, last: number, base: number, out: Line[]): void {
    let pos = from;
    while (pos <= last) {
      const idx = chunk.indexOf(this.opts.delimiter, pos);
      this.complete(chunk, pos, idx, base + pos, base + idx + 1, out);
      this.lineNumber++;
      pos = idx + 1;
    }
  }

  /**
   * With a prefilter: the lines of chunk[from, last] holding one of `needles` are framed, and the last
   * one; the others are only counted. Each needle is searched for natively across the whole range, so lines that cannot
   * pass cost a delimiter search each, not a decode, a Line and a regular expression.
   */
  private frameFiltered(chunk: Buffer, from: number, last: number, base: number, out: Line[], needles: readonly Buffer[]): void {
    const delimiter = this.opts.delimiter;
    // Where each needle occurs next (-1: nowhere further), -2 until searched.
    const next = needles.map(() => -2);
    let pos = from;
    while (pos <= last) {
      let hit = -1;
      for (let i = 0; i < needles.length; i++) {
        if (next[i]! < pos && next[i] !== -1) next[i] = chunk.indexOf(needles[i]!, pos);
        const at = next[i]!;
        if (at !== -1 && at <= last && (hit === -1 || at < hit)) hit = at;
      }
      // The line holding the hit starts after the delimiter before it (a needle holds no delimiter).
      // With no hit, the last line is framed all the same: the batch then ends where the read did, so a
      // checkpoint advances over the lines skipped (they count as filtered out, hence delivered).
      const before = hit !== -1 ? chunk.lastIndexOf(delimiter, hit) : last > pos ? chunk.lastIndexOf(delimiter, last - 1) : -1;
      const start = Math.max(before + 1, pos);
      this.countLines(chunk, pos, start, base, out);
      const idx = hit === -1 ? last : chunk.indexOf(delimiter, hit);
      this.complete(chunk, start, idx, base + start, base + idx + 1, out);
      this.lineNumber++;
      pos = idx + 1;
    }
  }

  /** Counts the lines of chunk[from, to) (`to` starts a line), framing only those over `maxLineBytes`. */
  private countLines(chunk: Buffer, from: number, to: number, base: number, out: Line[]): void {
    const delimiter = this.opts.delimiter;
    const max = this.opts.maxLineBytes;
    for (let pos = from; pos < to; ) {
      const idx = chunk.indexOf(delimiter, pos);
      if (idx - pos > max) this.complete(chunk, pos, idx, base + pos, base + idx + 1, out);
      this.lineNumber++;
      pos = idx + 1;
    }
  }

  /**
   * Block mode: the complete lines of chunk[from, last] as one {@link LineBlock}, counted but neither
   * decoded nor copied. False, framing nothing, when one of them is longer than `maxLineBytes` (the
   * line-by-line path then splits it and says so).
   */
  private frameBlock(chunk: Buffer, from: number, last: number, base: number, out: Line[]): boolean {
    const delimiter = this.opts.delimiter;
    const max = this.opts.maxLineBytes;
    let count = 0;
    for (let pos = from; pos <= last; count++) {
      const idx = chunk.indexOf(delimiter, pos);
      if (idx - pos > max) return false;
      pos = idx + 1;
    }
    this.lineNumber += count;
    const block: LineBlock = {
      text: '',
      bytes: chunk.subarray(from, last + 1),
      source: this.opts.source,
      offset: base + from,
      end: base + last + 1,
      lineNumber: this.lineNumber - 1,
      eol: '',
    };
    out.push(block);
    return true;
  }

  /** A delimiter at chunk[end]: the line is the held bytes plus chunk[start, end). */
  private finish(chunk: Buffer, start: number, end: number, base: number, out: Line[]): void {
    const lineEnd = base + end + 1;
    if (this.skip > 0) {
      this.skip--;
      this.lineNumber++;
      this.clearHeld(lineEnd);
      return;
    }
    if (this.discarding) {
      const kept = this.takeHeld();
      const cr = this.opts.delimiter === 10 && (end > start ? chunk[end - 1] === 13 : this.droppedCR);
      this.emit(kept, 0, kept.length, this.lineStart, lineEnd, cr ? '\r\n' : this.eol, out);
    } else if (this.heldBytes === 0) {
      this.complete(chunk, start, end, base + start, lineEnd, out);
    } else {
      const whole = Buffer.concat([...this.held, chunk.subarray(start, end)], this.heldBytes + end - start);
      this.complete(whole, 0, whole.length, this.lineStart, lineEnd, out);
    }
    this.lineNumber++;
    this.clearHeld(lineEnd);
  }

  /** A complete line in buf[start, end) whose terminator ends at file offset `lineEnd`. */
  private complete(buf: Buffer, start: number, end: number, offset: number, lineEnd: number, out: Line[]): void {
    const max = this.opts.maxLineBytes;
    let eol = this.eol;
    if (this.opts.delimiter === 10 && end > start && buf[end - 1] === 13) {
      end--;
      eol = '\r\n';
    }
    while (end - start > max) {
      const cut = start + this.cutPoint(buf, start, max);
      this.opts.onTooLong?.(offset + cut - start);
      if (this.opts.overlong === 'truncate') {
        this.emit(buf, start, cut, offset, lineEnd, eol, out);
        return;
      }
      this.emit(buf, start, cut, offset, offset + cut - start, '', out);
      offset += cut - start;
      start = cut;
    }
    this.emit(buf, start, end, offset, lineEnd, eol, out);
  }

  private hold(chunk: Buffer, start: number, base: number, out: Line[]): void {
    if (this.heldBytes === 0 && !this.discarding) this.lineStart = base + start;
    if (this.skip > 0) return;
    if (this.discarding) {
      this.droppedCR = chunk[chunk.length - 1] === 13;
      return;
    }
    // A copy, so a small partial line does not keep a whole read buffer alive.
    this.held.push(Buffer.from(chunk.subarray(start)));
    this.heldBytes += chunk.length - start;
    if (this.heldBytes - this.pendingCR(chunk) > this.opts.maxLineBytes) this.limitHeld(out, false);
  }

  /**
   * 1 when `buf` ends with a CR that may be the first half of a CRLF: it is not counted against the
   * limit until the next byte is known, so a line's pieces do not depend on where the chunks were cut.
   */
  private pendingCR(buf: Buffer): number {
    return this.opts.delimiter === 10 && buf[buf.length - 1] === 13 ? 1 : 0;
  }

  /** The unfinished line outgrew the limit: emit pieces (split) or keep only its head (truncate). */
  private limitHeld(out: Line[], final: boolean): void {
    const max = this.opts.maxLineBytes;
    const buf = this.takeHeld();
    if (this.opts.overlong === 'truncate') {
      const cut = this.cutPoint(buf, 0, max);
      this.opts.onTooLong?.(this.lineStart + cut);
      this.held = [buf.subarray(0, cut)];
      this.heldBytes = cut;
      this.discarding = true;
      this.droppedCR = buf[buf.length - 1] === 13;
      return;
    }
    const slack = final ? 0 : this.pendingCR(buf);
    let start = 0;
    while (buf.length - start - slack > max) {
      const cut = this.cutPoint(buf, start, max);
      this.opts.onTooLong?.(this.lineStart + cut);
      this.emit(buf, start, start + cut, this.lineStart, this.lineStart + cut, '', out);
      this.lineStart += cut;
      start += cut;
    }
    // One copy of the rest, not one per piece: a big chunk with a small limit stays linear.
    this.held = [start > 0 ? Buffer.from(buf.subarray(start)) : buf];
    this.heldBytes = buf.length - start;
  }

  /** `end`, or less so that buf[0, end) ends with a whole UTF-8 character (in utf8; any byte is one otherwise). */
  private completeUpTo(buf: Buffer, end: number): number {
    if (this.opts.encoding !== 'utf8') return end;
    // The last character's first byte (11xxxxxx), within 4 bytes of the end, and its length.
    for (let i = end - 1; i >= Math.max(end - 4, 0); i--) {
      const byte = buf[i]!;
      if ((byte & 0xc0) === 0x80) continue;
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return i + length > end ? i : end;
    }
    return end;
  }

  /** Where to cut a piece of at most `max` bytes without splitting a UTF-8 character. */
  private cutPoint(buf: Buffer, start: number, max: number): number {
    if (this.opts.encoding !== 'utf8') return max;
    let cut = max;
    // Back up over continuation bytes (10xxxxxx) to the start of the character.
    while (cut > max - 3 && cut > 0 && ((buf[start + cut] ?? 0) & 0xc0) === 0x80) cut--;
    return cut > 0 ? cut : max;
  }

  private emit(buf: Buffer, start: number, end: number, offset: number, lineEnd: number, eol: LineEnding, out: Line[]): void {
    out.push({
      text: buf.toString(this.opts.encoding, start, end),
      source: this.opts.source,
      offset,
      end: lineEnd,
      lineNumber: this.lineNumber,
      eol,
    });
  }

  private takeHeld(): Buffer {
    const buf = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    return buf;
  }

  private clearHeld(nextLineStart: number): void {
    this.held = [];
    this.heldBytes = 0;
    this.discarding = false;
    this.droppedCR = false;
    this.lineStart = nextLineStart;
  }
}
