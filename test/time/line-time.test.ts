import { describe, expect, it } from 'vitest';
import { epoch, leadingTime, timeOfValue } from '../../src/time/line-time.js';
import { parseTime } from '../../src/time/parse-time.js';
import { lineTime } from '../../src/time/window.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime();

describe('leadingTime', () => {
  it.each([
    ['2024-05-01T12:00:00Z GET /', Date.parse('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00:00.250Z x', Date.parse('2024-05-01T12:00:00.250Z')],
    ['2024-05-01T14:00:00+02:00 x', Date.parse('2024-05-01T12:00:00Z')],
    ['2024-05-01T07:00:00-0500 x', Date.parse('2024-05-01T12:00:00Z')],
    ['2024-05-01 12:00:00,5Z x', Date.parse('2024-05-01T12:00:00.500Z')],
    ['[2024-05-01T12:00:00Z] INFO', Date.parse('2024-05-01T12:00:00Z')],
    ['2024-05-01T12:00Z short', Date.parse('2024-05-01T12:00:00Z')],
    ['2024-05-01 12:00:00 no zone is local', local(2024, 5, 1, 12)],
    ['2024/05/01 12:00:00 [error] 7#7: *1 open() failed (nginx error log)', local(2024, 5, 1, 12)],
    ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', Date.parse('2000-10-10T20:55:36Z')],
    ['10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" 503 12 "-" "curl"', Date.parse('2024-05-01T12:00:00Z')],
    ['May  1 11:59:00 host sshd[1]: ok', local(2024, 5, 1, 11, 59)],
    ['<34>Apr 30 23:00:00 host su: x', local(2024, 4, 30, 23)],
  ])('reads %j', (line, expected) => {
    expect(leadingTime(line, NOW)).toBe(expected);
  });

  it.each(['GET / 200', '   2024-05-01T12:00:00Z indented', 'at java.lang.Thread.run', '2024-13-01T00:00:00Z bad month', '2023-02-30T00:00:00Z no such day', '2024-05/01 12:00:00 mixed separators', ''])('finds no time in %j', (line) => {
    expect(leadingTime(line, NOW)).toBeUndefined();
  });

  it('gives a syslog stamp the latest year that puts it at most a day after now', () => {
    const newYear = new Date(2025, 0, 1, 0, 30).getTime();
    expect(leadingTime('Dec 31 23:59:00 h x', newYear)).toBe(local(2024, 12, 31, 23, 59));
    expect(leadingTime('Jan  1 00:10:00 h x', newYear)).toBe(local(2025, 1, 1, 0, 10));
    // A clock a little behind the writer's at new year: Jan 1 is the coming one.
    expect(leadingTime('Jan  1 00:10:00 h x', local(2024, 12, 31, 23, 50))).toBe(local(2025, 1, 1, 0, 10));
    expect(leadingTime('Jun  1 00:00:00 h x', newYear)).toBe(local(2024, 6, 1));
  });
});

describe('timeOfValue and epoch', () => {
  it('reads epoch seconds, milliseconds, micro- and nanoseconds by magnitude', () => {
    expect(epoch(1714564800)).toBe(1714564800000);
    expect(epoch(1714564800.25)).toBe(1714564800250);
    expect(epoch(1714564800000)).toBe(1714564800000);
    expect(epoch(1714564800000000)).toBe(1714564800000);
    expect(epoch(1714564800000000000)).toBe(1714564800000);
  });

  it('reads numbers, numeric strings and stamps; nothing else', () => {
    expect(timeOfValue(1714564800, NOW)).toBe(1714564800000);
    expect(timeOfValue('1714564800123', NOW)).toBe(1714564800123);
    expect(timeOfValue('2024-05-01T12:00:00Z', NOW)).toBe(NOW);
    expect(timeOfValue(true, NOW)).toBeUndefined();
    expect(timeOfValue({ t: 1 }, NOW)).toBeUndefined();
    expect(timeOfValue('soon', NOW)).toBeUndefined();
  });
});

describe('lineTime', () => {
  it('takes the first time field of a JSON line, then its leading stamp', () => {
    const time = lineTime(undefined, NOW);
    expect(time('{"level":"info","time":1714564800000}')).toBe(NOW);
    expect(time('{"ts":1714564800.5}')).toBe(NOW + 500);
    expect(time('{"@timestamp":"2024-05-01T12:00:00Z"}')).toBe(NOW);
    expect(time('{"msg":"no time"}')).toBeUndefined();
    expect(time('2024-05-01T12:00:00Z plain')).toBe(NOW);
  });

  it('uses the field it is given, by dotted path', () => {
    expect(lineTime(['meta.at'], NOW)('{"time":1,"meta":{"at":"2024-05-01T12:00:00Z"}}')).toBe(NOW);
  });
});

describe('parseTime', () => {
  it.each([
    ['10m', NOW - 600_000],
    ['2h', NOW - 7_200_000],
    ['1d', NOW - 86_400_000],
    ['1.5h', NOW - 5_400_000],
    ['-30s', NOW - 30_000],
    ['1w', NOW - 604_800_000],
    ['2024-05-01T11:00:00Z', NOW - 3_600_000],
    ['2024-05-01T13:00:00+02:00', NOW - 3_600_000],
    ['2024-05-01', local(2024, 5, 1)],
    ['@1714564800', NOW],
    ['1714564800', NOW],
    ['1714564800000', NOW],
    ['01/May/2024:12:00:00 +0000', NOW],
  ])('reads %j', (spec, expected) => {
    expect(parseTime(spec, NOW, '--since')).toBe(expected);
  });

  it('reads a time of day as today, local time', () => {
    const d = new Date(NOW);
    d.setHours(9, 30, 0, 0);
    expect(parseTime('09:30', NOW, '--since')).toBe(d.getTime());
  });

  it.each(['yesterday', '10x', '2024-05-01T12:00 junk', '25:00', '2023-02-30', ''])('refuses %j, naming the flag', (spec) => {
    expect(() => parseTime(spec, NOW, '--since')).toThrow(`invalid time for --since: '${spec}'`);
  });
});
