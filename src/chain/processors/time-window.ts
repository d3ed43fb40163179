import type { ProcessorObject } from '../types.js';
import type { TimeOf } from '../../time/since-start.js';

/** Options of {@link timeWindow}. @internal */
export interface TimeWindowOptions {
  /** Lines of a source are dropped until the first one whose time is at or after this (ms since the epoch). */
  readonly since?: number | undefined;
  /** From the first line whose time is after this, every line of the source is dropped. */
  readonly until?: number | undefined;
  /** The time of a line's text. */
  readonly timeOf: TimeOf;
  /** Told once per source, when its first line past `until` is seen. */
  readonly onPast?: (source: string) => void;
}

/** Where a source stands in the window: before `since`, inside, or past `until`. */
type Phase = 'before' | 'inside' | 'past';

/**
 * The `since`/`until` window, per source: lines are dropped until the first that carries a time at or
 * after `since` (a file opened at the start already begins there: see `SinceStart`), then kept until
 * the first that carries a time after `until`, from which every line of the source is dropped. Lines
 * without a time go with the line before them (the rest of its event). Lines out of order inside the
 * window are kept.
 * @internal
 * @example
 * ```ts
 * const window = timeWindow({ since: Date.parse('2024-05-01T12:00Z'), timeOf: (text) => isoTime(text) });
 * ```
 */
export function timeWindow(options: TimeWindowOptions): ProcessorObject {
  const { since, until, timeOf, onPast } = options;
  const phases = new Map<string, Phase>();
  const initial: Phase = since === undefined ? 'inside' : 'before';
  return {
    name: 'time-window',
    process(text, ctx) {
      const phase = phases.get(ctx.source) ?? initial;
      if (phase === 'past') return null;
      const time = timeOf(text);
      if (phase === 'before') {
        if (time === undefined || time < since!) return null;
        phases.set(ctx.source, 'inside');
      }
      if (until !== undefined && time !== undefined && time > until) {
        phases.set(ctx.source, 'past');
        onPast?.(ctx.source);
        return null;
      }
      return undefined;
    },
  };
}
