/**
 * The time a log line says it was written: its leading timestamp in one of the forms logs use, or a field
 * of its record. Hand-written rather than a date library: the forms are few and fixed, the parsing is on
 * the hot path of every line, and the year of a syslog stamp needs a rule of our own.
 */

const MONTHS: Readonly<Record<string, number>> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const DAY_MS = 86_400_000;

/**
 * ISO 8601 / RFC 3339: `2024-05-01T12:00:00.123Z`, `2024-05-01 12:00:00,5+02:00`, `2024-05-01T12:00`; and
 * nginx's error log, `2024/05/01 12:00:00` (local).
 */
const ISO = /^(\d{4})([-/])(\d{2})\2(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?/;
/** RFC 3164 syslog, with or without its `<PRI>`: `May  1 12:00:00`, `<34>Oct 11 22:14:15`. */
const SYSLOG = /^(?:<\d{1,3}>)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?=\s|$)/;
/** Apache/nginx common and combined log: `host ident user [10/Oct/2000:13:55:36 -0700] "GET …"`. */
const CLF = /^\S+ \S+ (?:\S+|"[^"]*") \[(\d{2})\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-]\d{4})\]/;
/** The same stamp on its own (as `--since` takes it): `10/Oct/2000:13:55:36 -0700`. */
const CLF_ALONE = /^(\d{2})\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-]\d{4})$/;

/**
 * The time, in ms since the epoch, of the timestamp a line starts with, or undefined when it starts with
 * none: ISO 8601 / RFC 3339 (optionally in `[…]`; also nginx's error log `2024/05/01 12:00:00`), RFC 3164
 * syslog, or the Apache/nginx common log format. A stamp without a zone is local time. A syslog stamp
 * has no year: it gets the latest year that does not put it more than a day after `now` (so in January, `Dec 31` is last year's).
 * @internal
 * @example
 * ```ts
 * leadingTime('2024-05-01T12:00:00Z started', Date.now()); // 1714564800000
 * ```
 */
export function leadingTime(text: string, now: number): number | undefined {
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    return isoTime(text) ?? clfTime(text);
  }
  if (c === 91 /* [ */) return isoTime(text.slice(1));
  return syslogTime(text, now) ?? clfTime(text);
}

/** An ISO 8601 / RFC 3339 stamp at the start of `text` (all of it, with `whole`). @internal */
export function isoTime(text: string, whole = false): number | undefined {
  const m = ISO.exec(text);
  if (!m || (whole && m[0].length !== text.length)) return undefined;
  const [, y, , mo, d, h, mi, s, frac, zone] = m;
  return civil(+y!, +mo! - 1, +d!, +h!, +mi!, s === undefined ? 0 : +s, fraction(frac), zone === undefined ? undefined : zoneOffset(zone));
}

function syslogTime(text: string, now: number, whole = false): number | undefined {
  const m = SYSLOG.exec(text);
  if (!m || (whole && m[0].length !== text.length)) return undefined;
  const [, mon, d, h, mi, s, frac] = m;
  const year = new Date(now).getFullYear();
  for (const y of [year + 1, year, year - 1]) {
    const t = civil(y, MONTHS[mon!]!, +d!.trim(), +h!, +mi!, +s!, fraction(frac), undefined);
    if (t !== undefined && t <= now + DAY_MS) return t;
  }
  return undefined;
}

function clfTime(text: string): number | undefined {
  const m = CLF.exec(text) ?? CLF_ALONE.exec(text);
  if (!m) return undefined;
  const [, d, mon, y, h, mi, s, frac, zone] = m;
  return civil(+y!, MONTHS[mon!]!, +d!, +h!, +mi!, +s!, fraction(frac), zoneOffset(zone!));
}

/**
 * A stamp in one of the forms {@link leadingTime} reads that is all of `text` (`May  1 12:00:00`,
 * `01/May/2024:12:00:00 +0000`, `2024-05-01T12:00Z`), or undefined.
 * @internal
 */
export function wholeStamp(text: string, now: number): number | undefined {
  return isoTime(text, true) ?? syslogTime(text, now, true) ?? (CLF_ALONE.test(text) ? clfTime(text) : undefined);
}

/**
 * The time of a record's field: a number is seconds since the epoch below 10¹¹ (the year 5138), then
 * milliseconds, microseconds from 10¹⁴, nanoseconds from 10¹⁷; a string holding a number the same; any
 * other string a stamp as {@link leadingTime} reads it.
 * @internal
 * @example
 * ```ts
 * timeOfValue(1714564800, Date.now());          // 1714564800000 (seconds)
 * timeOfValue('2024-05-01T12:00:00Z', Date.now()); // 1714564800000
 * ```
 */
export function timeOfValue(value: unknown, now: number): number | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^-?\d+(\.\d+)?$/.test(trimmed)) return epoch(Number(trimmed));
    return leadingTime(trimmed, now);
  }
  return typeof value === 'number' ? epoch(value) : undefined;
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds (by magnitude) as milliseconds. @internal */
export function epoch(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  const a = Math.abs(n);
  return a < 1e11 ? n * 1000 : a < 1e14 ? n : a < 1e17 ? n / 1000 : n / 1e6;
}

/** A civil time, local unless `offsetMinutes` is given; undefined when a field is out of range (Feb 30). */
function civil(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number | undefined): number | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  const utc = Date.UTC(y, mo, d, h, mi, s, ms);
  const check = new Date(utc);
  // The day must exist in that month: Date.UTC rolls Feb 30 over to March.
  if (check.getUTCMonth() !== mo && !(h === 24 && check.getUTCDate() === 1)) return undefined;
  if (offsetMinutes !== undefined) return utc - offsetMinutes * 60_000;
  return new Date(y, mo, d, h, mi, s, ms).getTime();
}

function fraction(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(`0.${digits}`) * 1000;
}

/** `Z`, `+02`, `+0200`, `+02:00` as minutes east of UTC. */
function zoneOffset(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return zone[0] === '-' ? -minutes : minutes;
}
