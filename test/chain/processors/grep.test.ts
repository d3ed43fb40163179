import { describe, it, expect } from 'vitest';
import { grep } from '../../../src/chain/processors/grep.js';
import { TailError } from '../../../src/errors.js';
import { ctx } from './ctx.js';

/** The lines `processor` keeps, run through `process` one by one. */
function kept(processor: ReturnType<typeof grep>, lines: string[]): string[] {
  return lines.filter((text) => {
    const out = processor.process(text, ctx(text));
    expect(out === undefined || out === null).toBe(true);
    return out === undefined;
  });
}

describe('grep', () => {
  it('is named grep', () => {
    expect(grep(['x']).name).toBe('grep');
  });

  it('keeps a matching line unchanged and drops the others', () => {
    const g = grep(['ERROR']);
    expect(g.process('ERROR disk full', ctx('ERROR disk full'))).toBeUndefined();
    expect(g.process('INFO all good', ctx('INFO all good'))).toBeNull();
  });

  it('keeps a line when any one of several patterns matches', () => {
    expect(kept(grep(['ERROR', /timeout/]), ['ERROR a', 'WARN timeout', 'INFO b', 'timeout ERROR'])).toEqual([
      'ERROR a',
      'WARN timeout',
      'timeout ERROR',
    ]);
  });

  it('reads string patterns as regular expressions', () => {
    expect(kept(grep(['^\\d{3} ', 'took \\d+ms$']), ['503 down', 'x503 down', 'took 12ms', 'took 12ms!'])).toEqual([
      '503 down',
      'took 12ms',
    ]);
  });

  it('is case-sensitive by default', () => {
    expect(kept(grep(['error']), ['error', 'ERROR', 'Error'])).toEqual(['error']);
  });

  it('ignores case when asked, for strings and for RegExp inputs without the i flag', () => {
    expect(kept(grep(['error'], { ignoreCase: true }), ['error', 'ERROR', 'Error', 'warn'])).toEqual(['error', 'ERROR', 'Error']);
    expect(kept(grep([/error/], { ignoreCase: true }), ['ERROR', 'warn'])).toEqual(['ERROR']);
  });

  it('keeps the i flag a RegExp input already has', () => {
    expect(kept(grep([/error/i]), ['ERROR', 'warn'])).toEqual(['ERROR']);
  });

  it('gives the same answer for the same line every time, even for a RegExp with the g or y flag', () => {
    const g = grep([/a/g, /b/y]);
    for (let i = 0; i < 3; i++) {
      expect(g.process('xa', ctx('xa'))).toBeUndefined();
      expect(g.process('bx', ctx('bx'))).toBeUndefined();
    }
  });

  it('matches string patterns Unicode-aware', () => {
    // Under `u`, `.` is one code point (an emoji is two UTF-16 units) and \p{…} classes work.
    expect(kept(grep(['^.$']), ['😀', 'ab'])).toEqual(['😀']);
    expect(kept(grep(['\\p{Lu}']), ['élan', 'Élan'])).toEqual(['Élan']);
  });

  it('still accepts a pattern that is only valid without the u flag', () => {
    // `\-` outside a class and a lone `{` are legacy syntax that `u` rejects.
    expect(kept(grep(['a\\-b', 'x{']), ['a-b', 'x{', 'ab'])).toEqual(['a-b', 'x{']);
  });

  it('throws an option error naming --grep and the pattern for an invalid regular expression', () => {
    let error: unknown;
    try {
      grep(['ok', '(']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TailError);
    expect((error as TailError).code).toBe('ERR_TAIL_OPTION');
    expect((error as TailError).message).toMatch(/^invalid regular expression for --grep: '\(': .+/);
  });

  it('throws an option error when given no pattern', () => {
    expect(() => grep([])).toThrow(expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: '--grep needs at least one pattern' }));
  });

  it('does not change the RegExp it was given', () => {
    const input = /a/g;
    grep([input], { ignoreCase: true }).process('a', ctx('a'));
    expect(input.flags).toBe('g');
    expect(input.lastIndex).toBe(0);
  });
});
