import { describe, it, expect } from 'vitest';
import { highlight } from '../../../src/chain/processors/highlight.js';
import { ctx } from './ctx.js';

/** Shows the escapes as brackets, for readable expectations. */
const show = (out: unknown): unknown => (typeof out === 'string' ? out.replaceAll('\x1b[1;31m', '[').replaceAll('\x1b[0m', ']') : out);
const run = (processor: ReturnType<typeof highlight>, text: string): unknown => show(processor.process(text, ctx(text)));

describe('highlight', () => {
  it('is named highlight', () => {
    expect(highlight(['x']).name).toBe('highlight');
  });

  it('wraps a match in bold red and reset escapes', () => {
    expect(highlight(['ERROR']).process('an ERROR here', ctx('an ERROR here'))).toBe('an \x1b[1;31mERROR\x1b[0m here');
  });

  it('leaves a line without a match unchanged', () => {
    expect(highlight(['ERROR']).process('all good', ctx('all good'))).toBeUndefined();
  });

  it('wraps every match, not just the first', () => {
    expect(run(highlight(['o']), 'foo boo')).toBe('f[o][o] b[o][o]');
  });

  it('wraps the matches of every pattern', () => {
    expect(run(highlight(['ERROR', /\b5\d\d\b/]), '503 ERROR then 500')).toBe('[503] [ERROR] then [500]');
  });

  it('never nests or overlaps: a match inside an earlier one is not wrapped again', () => {
    expect(run(highlight(['foobar', 'bar']), 'foobar bar')).toBe('[foobar] [bar]');
    expect(run(highlight(['abc', 'bcd']), 'abcd')).toBe('[abc]d');
  });

  it('takes the longest match where several patterns match at the same place', () => {
    expect(run(highlight(['err', 'error']), 'error')).toBe('[error]');
    expect(run(highlight(['error', 'err']), 'error err')).toBe('[error] [err]');
  });

  it('ignores empty matches and does not loop on them', () => {
    expect(run(highlight(['']), 'abc')).toBeUndefined();
    expect(run(highlight(['x*']), 'axxbx')).toBe('a[xx]b[x]');
    expect(run(highlight(['\\b', 'b']), 'a b')).toBe('a [b]');
    expect(run(highlight(['(?=😀)', '.$']), '😀😀')).toBe('😀[😀]');
  });

  it('ignores case when asked, for strings and RegExp inputs', () => {
    expect(run(highlight(['error', /warn/], { ignoreCase: true }), 'Error WARN')).toBe('[Error] [WARN]');
    expect(run(highlight(['error']), 'Error')).toBeUndefined();
  });

  it('keeps each pattern its own flags and backreferences', () => {
    // A combined alternation would renumber the group and make \1 refer to the wrong one.
    expect(run(highlight([/x(y)/, /(a)\1/]), 'xy aa ab')).toBe('[xy] [aa] ab');
    expect(run(highlight(['a\\-b', '\\p{Lu}+']), 'a-b ÉTÉ')).toBe('[a-b] [ÉTÉ]');
  });

  it('gives the same result for the same line every time', () => {
    const hl = highlight([/o/g, 'b']);
    const first = run(hl, 'boo');
    expect(first).toBe('[b][o][o]');
    expect(run(hl, 'boo')).toBe(first);
    expect(run(hl, 'xo')).toBe('x[o]');
  });

  it('does not touch the text around matches, escapes included', () => {
    expect(run(highlight(['b']), '\x1b[2mabc')).toBe('\x1b[2ma[b]c');
  });

  it('throws an option error naming --grep (the flag whose matches the CLI highlights) for an invalid pattern', () => {
    expect(() => highlight(['a)'])).toThrow(
      expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: expect.stringMatching(/^invalid regular expression for --grep: 'a\)': /) }),
    );
  });
});
