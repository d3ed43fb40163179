import { describe, it, expect } from 'vitest';
import { timestamp } from '../../../src/chain/processors/timestamp.js';
import { ctx } from './ctx.js';

describe('timestamp', () => {
  it('is named timestamp', () => {
    expect(timestamp().name).toBe('timestamp');
  });

  it('prefixes the line with the ISO 8601 time and a space', () => {
    const stamp = timestamp({ now: () => new Date(Date.UTC(2024, 4, 1, 12, 30, 5, 42)) });
    expect(stamp.process('started', ctx('started'))).toBe('2024-05-01T12:30:05.042Z started');
  });

  it('reads the clock for every line', () => {
    let ms = 0;
    const stamp = timestamp({ now: () => new Date(ms++ * 1000) });
    expect(stamp.process('a', ctx('a'))).toBe('1970-01-01T00:00:00.000Z a');
    expect(stamp.process('b', ctx('b'))).toBe('1970-01-01T00:00:01.000Z b');
  });

  it('prefixes an empty line too', () => {
    expect(timestamp({ now: () => new Date(0) }).process('', ctx(''))).toBe('1970-01-01T00:00:00.000Z ');
  });

  it('uses the real clock by default', () => {
    const before = Date.now();
    const out = timestamp().process('x', ctx('x')) as string;
    const after = Date.now();
    const [time, rest] = [out.slice(0, out.indexOf(' ')), out.slice(out.indexOf(' ') + 1)];
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(time)).toBeLessThanOrEqual(after);
    expect(rest).toBe('x');
  });
});
