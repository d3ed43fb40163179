import { describe, expect, it } from 'vitest';
import { prefilterOf } from '../../src/chain/prefilter.js';
import { exclude, grep } from '../../src/index.js';

describe('prefilterOf', () => {
  it('takes the literals of a case-sensitive grep that comes first', () => {
    expect(prefilterOf([grep(['ERROR', 'WARN: disk'])])?.map(String)).toEqual(['ERROR', 'WARN: disk']);
  });

  it.each([
    ['a pattern with regular expression syntax', [grep(['ERR.R'])]],
    ['a RegExp', [grep([/ERROR/])]],
    ['ignoring case', [grep(['ERROR'], { ignoreCase: true })]],
    ['non-ASCII text', [grep(['café'])]],
    ['grep after another processor', [exclude(['x']), grep(['ERROR'])]],
    ['a function', [(text: string) => text]],
    ['no processor', []],
  ])('gives nothing for %s', (_what, processors) => {
    expect(prefilterOf(processors)).toBeUndefined();
  });
});
