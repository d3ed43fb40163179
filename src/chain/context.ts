import type { Line } from '../lines/line.js';
import type { LineContext } from './types.js';

/**
 * The context a processor gets for a line (or for an event spanning several lines). Its public fields
 * are for reading; a processor that changes them changes nothing else. The engine's own record (the
 * lines read, and the file they came from) is in private fields that no processor can reach, and
 * positions in the output and in checkpoints come only from there. `line` is a copy, made when first
 * asked for: the line read is never handed to a processor.
 * @internal
 * @example
 * ```ts
 * const ctx = new LineCtx(line, origin);
 * LineCtx.lastLine(ctx).end; // where reading resumes after it, whatever a processor did to ctx
 * ```
 */
export class LineCtx implements LineContext {
  source: string;
  lineNumber: number;
  offset: number;
  end: number;
  readonly #first: Line;
  readonly #origin: unknown;
  /** The context of the last line of the span (this one, for a single line). */
  readonly #to: LineCtx;
  #copy: Line | undefined;

  constructor(line: Line, origin: unknown, to?: LineCtx) {
    this.#first = line;
    this.#origin = origin;
    this.#to = to ?? this;
    this.source = line.source;
    this.lineNumber = line.lineNumber;
    this.offset = line.offset;
    this.end = to ? to.#first.end : line.end;
  }

  /** A copy of the (first) line as read; a processor may keep it, or change it, to no effect. */
  get line(): Line {
    return (this.#copy ??= { ...this.#first });
  }

  set line(value: Line) {
    this.#copy = value;
  }

  /** True for contexts made by the engine (not copies or look-alikes a processor made). */
  static is(value: unknown): value is LineCtx {
    return typeof value === 'object' && value !== null && #first in value;
  }

  /** An event from the first line of `from` to the last line of `to`. */
  static span(from: LineCtx, to: LineCtx): LineCtx {
    return new LineCtx(from.#first, from.#origin, to.#to);
  }

  static firstLine(ctx: LineCtx): Line {
    return ctx.#first;
  }

  static lastLine(ctx: LineCtx): Line {
    return ctx.#to.#first;
  }

  /** The file (as the session knows it) the first line was read from. */
  static firstOrigin(ctx: LineCtx): unknown {
    return ctx.#origin;
  }

  /** The file the last line was read from. */
  static lastOrigin(ctx: LineCtx): unknown {
    return ctx.#to.#origin;
  }
}
