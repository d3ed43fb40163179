import { optionError } from '../errors.js';
import { lookup, isRecord } from '../chain/records/fields.js';
import { leadingTime, timeOfValue } from './line-time.js';
import { toMoment } from './parse-time.js';
import type { TimeOf } from './since-start.js';

/** The window of time asked for, resolved: moments in ms since the epoch, and how a line's time is read. @internal */
export interface TimeWindow {
  readonly since: number | undefined;
  readonly until: number | undefined;
  readonly timeOf: TimeOf;
}

/** The fields a JSON record's time is looked for in, when no `timeField` is given: pino, bunyan, zap, logrus, ECS. */
export const TIME_FIELDS: readonly string[] = ['time', 'ts', 'timestamp', '@timestamp'];

/** What the options say about time (see `TailOptions`). @internal */
export interface TimeOptions {
  readonly since?: Date | number | string;
  readonly until?: Date | number | string;
  readonly timeField?: string;
  readonly timeOf?: (text: string) => Date | number | undefined;
}

/**
 * The window of `since`/`until`, or undefined when neither is given. Relative moments (`'10m'`) count
 * back from `now`.
 * @internal
 */
export function resolveWindow(options: TimeOptions, now: number): TimeWindow | undefined {
  const { since, until, timeField, timeOf } = options;
  if (timeField !== undefined && (typeof timeField !== 'string' || timeField === '')) throw optionError('tail(): timeField must be a non-empty string');
  if (timeOf !== undefined && typeof timeOf !== 'function') throw optionError('tail(): timeOf must be a function');
  if (since === undefined && until === undefined) return undefined;
  const from = since === undefined ? undefined : toMoment(since, now, 'since');
  const to = until === undefined ? undefined : toMoment(until, now, 'until');
  if (from !== undefined && to !== undefined && to < from) throw optionError('tail(): until is before since');
  return { since: from, until: to, timeOf: timeOf ? userTime(timeOf) : lineTime(timeField === undefined ? undefined : [timeField], now) };
}

/**
 * The time of a line: for a JSON object line, its first field of `fields` (default {@link TIME_FIELDS})
 * that holds a time (epoch seconds or milliseconds, or a stamp); else, and for any other line, its
 * leading timestamp (see `leadingTime`). `parse` turns a line into a record (JSON by default).
 * @internal
 * @example
 * ```ts
 * lineTime(['ts'], Date.now())('{"ts":1714564800.5,"msg":"up"}'); // 1714564800500
 * ```
 */
export function lineTime(fields: readonly string[] | undefined, now: number, parse?: (text: string) => unknown): TimeOf {
  const names = fields ?? TIME_FIELDS;
  return (text) => {
    const record = parse ? safely(parse, text) : text.charCodeAt(0) === 123 /* { */ ? safely(JSON.parse, text) : undefined;
    if (isRecord(record)) {
      for (const name of names) {
        const time = timeOfValue(lookup(record, name), now);
        if (time !== undefined) return time;
      }
    }
    return leadingTime(text, now);
  };
}

function safely(parse: (text: string) => unknown, text: string): unknown {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

/** A user's `timeOf`, made safe: a throw, NaN or anything but a Date or number means no time. */
function userTime(timeOf: (text: string) => Date | number | undefined): TimeOf {
  return (text) => {
    let value: unknown;
    try {
      value = timeOf(text);
    } catch {
      return undefined;
    }
    const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  };
}
