import { describe, it, expect } from 'vitest';
import { exclude } from '../../../src/chain/processors/exclude.js';
import { ctx } from './ctx.js';

function kept(processor: ReturnType<typeof exclude>, lines: string[]): string[] {
  return lines.filter((text) => processor.process(text, ctx(text)) === undefined);
}

describe('exclude', () => {
  it('is named exclude', () => {
    expect(exclude(['x']).name).toBe('exclude');
  });

  it('drops a matching line and keeps the others unchanged', () => {
    const e = exclude(['GET /health']);
    expect(e.process('GET /health 200', ctx('GET /health 200'))).toBeNull();
    expect(e.process('GET /users 200', ctx('GET /users 200'))).toBeUndefined();
  });

  it('drops a line when any one of several patterns matches', () => {
    expect(kept(exclude(['DEBUG', /\.css\b/]), ['DEBUG x', 'GET /a.css', 'GET /a.cssx', 'INFO y'])).toEqual([
      'GET /a.cssx',
      'INFO y',
    ]);
  });

  it('ignores case when asked', () => {
    expect(kept(exclude(['debug']), ['DEBUG', 'debug'])).toEqual(['DEBUG']);
    expect(kept(exclude(['debug'], { ignoreCase: true }), ['DEBUG', 'debug', 'info'])).toEqual(['info']);
  });

  it('gives the same answer for the same line every time, even for a RegExp with the g flag', () => {
    const e = exclude([/noise/g]);
    for (let i = 0; i < 3; i++) expect(e.process('noise', ctx('noise'))).toBeNull();
  });

  it('throws an option error naming --exclude and the pattern for an invalid regular expression', () => {
    expect(() => exclude(['[a-'])).toThrow(
      expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: expect.stringMatching(/^invalid regular expression for --exclude: '\[a-': /) }),
    );
  });
});
