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
    ['x/a|b*.log', 'x', 0, ['x/a|b1.log'], ['x/a', 'x/b1.log']],
    ['x/{.a,b}/*.log', 'x', 1, ['x/.a/1.log', 'x/b/1.log'], ['x/.b/1.log', 'x/b/.1.log']],
    // braces across directories, nested, and ranges as bash expands them
    ['x/{a,b/c}.log', 'x', 1, ['x/a.log', 'x/b/c.log'], ['x/b.log', 'x/c.log', 'x/a/c.log']],
    ['x/{a,{b,c}d}.log', 'x', 0, ['x/a.log', 'x/bd.log', 'x/cd.log'], ['x/b.log', 'x/d.log']],
    ['x/app{1..12}.log', 'x', 0, ['x/app1.log', 'x/app9.log', 'x/app10.log', 'x/app12.log'], ['x/app0.log', 'x/app13.log', 'x/app01.log']],
    ['x/app{01..10}.log', 'x', 0, ['x/app01.log', 'x/app10.log'], ['x/app1.log', 'x/app11.log']],
    ['x/{a..c}{1..9..4}.log', 'x', 0, ['x/a1.log', 'x/c5.log', 'x/b9.log'], ['x/d1.log', 'x/a2.log']],
    ['x/{3..1}.log', 'x', 0, ['x/2.log'], ['x/0.log']],
    // POSIX classes and extglobs
    ['x/[[:digit:]][[:alpha:]].log', 'x', 0, ['x/1a.log'], ['x/a1.log', 'x/11.log']],
    ['x/@(app|db).log', 'x', 0, ['x/app.log', 'x/db.log'], ['x/web.log', 'x/appdb.log']],
    ['x/!(debug).log', 'x', 0, ['x/app.log'], ['x/debug.log', 'x/.hidden.log']],
    ['x/+(ab).log', 'x', 0, ['x/ab.log', 'x/abab.log'], ['x/.log', 'x/a.log']],
    ['/*.log', '/', 0, ['/a.log'], ['/x/a.log']],
    ['./*.log', '.', 0, ['a.log', './a.log'], ['x/a.log']],
  ])('%s: base %s, depth %s', (pattern, base, depth, yes, no) => {
    const glob = compileGlob(pattern);
    expect(glob.base).toBe(base);
    expect(glob.depth).toBe(depth);
    for (const file of yes) expect(glob.matches(file), file).toBe(true);
    for (const file of no) expect(glob.matches(file), file).toBe(false);
  });

  it('knows which paths are patterns', () => {
    expect(['a/*.log', 'a?', 'a[1]', 'a{b,c}', 'a{1..3}', '@(a|b).log', '!(x).log'].map(isGlob)).toEqual([true, true, true, true, true, true, true]);
    expect(['a/b.log', '/var/log/syslog', '-', 'a{b}.log'].map(isGlob)).toEqual([false, false, false, false]);
  });
});
