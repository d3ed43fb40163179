import { describe, it, expect } from 'vitest';
import { compilePattern, compilePatterns } from '../../../src/chain/processors/patterns.js';
import { TailError } from '../../../src/errors.js';

describe('compilePatterns', () => {
  it('compiles a valid string pattern with the u flag', () => {
    expect(compilePattern('a.c', '--grep').flags).toBe('u');
  });

  it('falls back to no u flag for a pattern that only the u flag rejects', () => {
    const regexp = compilePattern('\\-', '--grep');
    expect(regexp.flags).toBe('');
    expect(regexp.test('-')).toBe(true);
  });

  it('adds i for ignoreCase and g for global, and removes g and y otherwise', () => {
    expect(compilePattern('a', '--x', { ignoreCase: true, global: true }).flags).toBe('giu');
    expect(compilePattern(/a/gys, '--x').flags).toBe('s');
    expect(compilePattern(/a/m, '--x', { ignoreCase: true }).flags).toBe('im');
    expect(compilePattern(/a/iy, '--x', { global: true }).flags).toBe('gi');
  });

  it('names the flag and the pattern in the error for an invalid pattern', () => {
    const error = (() => {
      try {
        compilePatterns(['a', '*b'], '--highlight');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TailError);
    expect((error as TailError).message).toMatch(/^invalid regular expression for --highlight: '\*b': /);
  });

  it('rejects a pattern that is neither a string nor a RegExp', () => {
    expect(() => compilePatterns([42 as unknown as string], '--grep')).toThrow(
      expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: '--grep expects a regular expression (string or RegExp), not number' }),
    );
  });
});
