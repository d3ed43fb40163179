import { describe, expect, it } from 'vitest';
import { compileGlob, isGlob } from '../../src/sources/glob.js';

describe('compileGlob', () => {
  it.each([
    ['logs/*.log', 'logs', 0, ['logs/a.log', 'logs/b.c.log'], ['logs/a.txt', 'logs/x/a.log', 'logs/.hidden.log', 'other/a.log']],
    ['logs/**/*.log', 'logs', Infinity, ['logs/a.log', 'logs/x/a.log', 'logs/x/y/z.log'], ['logs/a.txt', 'logs/.git/a.log', 'logsa.log']],
    ['/var/log/app-?.log', '/var/log', 0, ['/var/log/app-1.log'], ['/var/log/app-10.log', '/var/log/app-.log']],
    ['x/app-[0-9].log', 'x', 0, ['x/app-3.log'], ['x/app-a.log']],
    ['x/app-[!0-9].log', 'x', 0, ['x/app-a.log'], ['x/app-3.log']],
    ['x/*.{log,txt}', 'x', 0, ['x/a.log', 'x/b.txt'], ['x/c.json']],
    ['*.log', '.', 0, ['a.log', './a.log'], ['x/a.log']],
    ['a/*/b/*.log', 'a', 2, ['a/x/b/c.log'], ['a/b/c.log', 'a/x/y/b/c.log']],
    ['dir.with.dots/(x)+*.log', 'dir.with.dots', 0, ['dir.with.dots/(x)+1.log'], ['dirxwithxdots/(x)+1.log', 'dir.with.dots/xx1.log']],
  ])('%s: base %s, depth %s', (pattern, base, depth, yes, no) => {
    const glob = compileGlob(pattern);
    expect(glob.base).toBe(base);
    expect(glob.depth).toBe(depth);
    for (const file of yes) expect(glob.matches(file), file).toBe(true);
    for (const file of no) expect(glob.matches(file), file).toBe(false);
  });

  it('knows which paths are patterns', () => {
    expect(['a/*.log', 'a?', 'a[1]', 'a{b,c}'].map(isGlob)).toEqual([true, true, true, true]);
    expect(['a/b.log', '/var/log/syslog', '-'].map(isGlob)).toEqual([false, false, false]);
  });
});
