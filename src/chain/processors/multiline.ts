import { optionError } from '../../errors.js';
import type { Emitted, LineContext, ProcessorObject } from '../types.js';
import { compilePattern } from './patterns.js';

/** Options of {@link multiline}. */
export interface MultilineOptions {
  /** Milliseconds without input after which pending events are emitted. Default 1000. */
  readonly idleMs?: number;
  /** Lines after which an event is emitted even if it goes on. Default 1000. */
  readonly maxLines?: number;
}

/** An event being gathered for one source. */
interface Pending {
  readonly lines: string[];
  readonly first: LineContext;
  last: LineContext;
}

/**
 * A processor that joins continuation lines (a stack trace, say) to the line that starts their event.
 * A line matching `start` begins a new event and emits the previous one of its source; any other line is
 * appended to the pending event of its source (or begins one, if there is none). Each source has its
 * own pending event, since lines of several files interleave. An event is emitted as one line, its lines
 * joined with `\n`, positioned from its first line to its last; it is emitted early when it reaches
 * `maxLines`, and pending events are emitted after `idleMs` without input and at the end.
 *
 * @example
 * ```ts
 * const events = multiline(/^\d{4}-\d\d-\d\d /, { idleMs: 500 });
 * for await (const line of tail('app.log', { processors: [events] })) console.log(line.text);
 * ```
 */
export function multiline(start: string | RegExp, options: MultilineOptions = {}): ProcessorObject {
  const startsEvent = compilePattern(start, '--multiline-start');
  const idleMs = options.idleMs ?? 1000;
  const maxLines = options.maxLines ?? 1000;
  if (typeof idleMs !== 'number' || !Number.isFinite(idleMs) || idleMs <= 0) {
    throw optionError(`multiline(): idleMs must be a number > 0, not ${String(idleMs)}`);
  }
  if (!Number.isSafeInteger(maxLines) || maxLines <= 0) {
    throw optionError(`multiline(): maxLines must be a whole number > 0, not ${String(maxLines)}`);
  }
  // Insertion order is the order the events' first lines arrived: an event is deleted when emitted
  // and the next one of its source is added at the end.
  const pending = new Map<string, Pending>();

  const emit = (event: Pending): Emitted => ({ text: event.lines.join('\n'), first: event.first, last: event.last });

  return {
    name: 'multiline',
    idleFlushMs: idleMs,
    process(text, ctx) {
      const out: Emitted[] = [];
      let event = pending.get(ctx.source);
      if (event !== undefined && startsEvent.test(text)) {
        pending.delete(ctx.source);
        out.push(emit(event));
        event = undefined;
      }
      if (event === undefined) {
        event = { lines: [text], first: ctx, last: ctx };
        pending.set(ctx.source, event);
      } else {
        event.lines.push(text);
        event.last = ctx;
      }
      if (event.lines.length >= maxLines) {
        pending.delete(ctx.source);
        out.push(emit(event));
      }
      return out.length === 0 ? null : out;
    },
    flush() {
      const out = [...pending.values()].map(emit);
      pending.clear();
      return out;
    },
    pending(source) {
      return pending.get(source)?.first;
    },
  };
}
