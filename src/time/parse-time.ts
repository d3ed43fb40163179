import { optionError } from '../errors.js';
import { epoch, wholeStamp } from './line-time.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A moment as `--since` and `--until` take it, in ms since the epoch:
 * - relative to `now`: `30s`, `10m`, `2h`, `1d`, `1w` (also `1.5h`, and with a leading `-`);
 * - ISO 8601 / RFC 3339: `2024-05-01`, `2024-05-01T12:00`, `2024-05-01 12:00:00.5+02:00` (no zone: local);
 * - a time of today (local): `09:30`, `09:30:15`;
 * - epoch seconds or milliseconds: `@1714564800`, `1714564800`, `1714564800000`;
 * - a stamp as logs write them: `May  1 12:00:00` (syslog), `01/May/2024:12:00:00 +0000` (common log).
 *
 * Throws a `TailError` with code `ERR_TAIL_OPTION` naming `what` for anything else.
 * @internal
 * @example
 * ```ts
 * parseTime('10m', Date.parse('2024-05-01T12:00:00Z'), '--since'); // 2024-05-01T11:50:00Z in ms
 * ```
 */
export function parseTime(spec: string, now: number, what: string): number {
  const text = spec.trim();
  const relative = /^-?(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(text);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  const number = /^@?(\d+(?:\.\d+)?)$/.exec(text);
  if (number && (text.startsWith('@') || text.length >= 9)) {
    const ms = text.startsWith('@') ? Number(number[1]) * 1000 : epoch(Number(number[1]));
    if (ms !== undefined) return ms;
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date) {
    const t = new Date(+date[1]!, +date[2]! - 1, +date[3]!).getTime();
    if (new Date(t).getDate() === +date[3]!) return t;
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text);
  if (clock && +clock[1]! < 24 && +clock[2]! < 60 && +(clock[3] ?? 0) < 60) {
    const day = new Date(now);
    day.setHours(+clock[1]!, +clock[2]!, +(clock[3] ?? 0), Number(`0.${clock[4] ?? '0'}`) * 1000);
    return day.getTime();
  }
  // A stamp must be all there is: '2024-05-01T12:00 junk' is a mistake, not a time.
  const stamp = wholeStamp(text, now);
  if (stamp !== undefined) return stamp;
  throw optionError(`invalid time for ${what}: '${spec}' (give 10m, 2h, 1d, 2024-05-01T12:00:00Z, 09:30 or @EPOCH)`);
}

/**
 * A moment given to the library (`since`, `until`): a `Date`, ms since the epoch, or a string as
 * {@link parseTime} reads it.
 * @internal
 */
export function toMoment(value: Date | number | string, now: number, what: string): number {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw optionError(`tail(): ${what} is an invalid Date`);
    return value.getTime();
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw optionError(`tail(): ${what} must be a finite number of ms, not ${value}`);
    return value;
  }
  if (typeof value === 'string') return parseTime(value, now, `tail(): ${what}`);
  throw optionError(`tail(): ${what} must be a Date, a number of ms or a string such as '10m'`);
}
