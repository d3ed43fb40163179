/** parseArgs: what is derived from the one ordered reading of the command line. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { strtod } from '../../src/cli/numbers.js';
import { refusalOf } from '../helpers/usage.js';

const refusal = (argv: string[]) => refusalOf(() => parseArgs(argv));

describe('parseArgs', () => {
  it.each([
    [['a'], 'name'],
    [['-f', 'a'], 'descriptor'],
    [['-f', '-F', 'a'], 'name'],
    [['-F', '-f', 'a'], 'descriptor'],
    [['--no-follow', '-f', 'a'], 'descriptor'],
    [['-f', '--no-follow', 'a'], false],
    [['--follow', 'a'], 'name'],
    [['--follow=d', 'a'], 'descriptor'],
    [['--follow=descriptor', '--follow=name', 'a'], 'name'],
    [['-5f', 'a'], 'descriptor'],
    [['--no-follow', '-5f', 'a'], 'descriptor'],
  ])('follows %j: %s (the last of -f, -F, --follow, --no-follow wins)', (argv, follow) => {
    expect(parseArgs(argv).follow).toBe(follow);
  });

  it.each([[['-F']], [['-F', '-']], [['--follow=name', 'a', '-']], [['-f', '--follow=n', '-']], [['--no-follow', '-F']]])("refuses %j: cannot follow '-' by name (GNU's words)", (argv) => {
    expect(refusal(argv)).toBe("cannot follow '-' by name");
  });

  it.each([[[]], [['-']], [['--follow', '-']], [['-F', '-f', '-']], [['-F', '--no-follow', '-']], [['-F', 'a']]])('takes %j: standard input passed through or followed by descriptor', (argv) => {
    expect(() => parseArgs(argv)).not.toThrow();
  });

  it.each([
    [['-5', 'a'], { lines: 5 }, ['a']],
    [['--grep', 'x', '-5', 'a'], { lines: 5 }, ['a']],
    [['-5', '--prefix', '--max-open-files', '3', 'a'], { lines: 5 }, ['a']],
    [['+3c', '--', 'a'], { fromByte: 3 }, ['a']],
    [['-2b'], { bytes: 1024 }, []],
    [['+999999999999999999c'], { fromByte: Number.MAX_SAFE_INTEGER }, []],
  ])('reads GNU’s obsolete option in %j, options of tail-async’s own left out of GNU’s count', (argv, start, files) => {
    expect(parseArgs(argv)).toMatchObject({ start, files });
  });

  it('treats +N as a file when _POSIX2_VERSION is 2001 to 2007, and stops at an operand with POSIXLY_CORRECT', () => {
    expect(parseArgs(['+2', 'a'], { _POSIX2_VERSION: '200112' })).toMatchObject({ start: undefined, files: ['+2', 'a'] });
    expect(parseArgs(['a', '-n', '1'], { POSIXLY_CORRECT: '' })).toMatchObject({ start: undefined, files: ['a', '-n', '1'] });
  });

  it('takes GNU’s options for its tests: ---disable-inotify polls, --max-unchanged-stats is checked and has no effect', () => {
    expect(parseArgs(['---disable-inotify', 'a']).poll).toBe(true);
    expect(parseArgs(['--max-unchanged-stats=1', 'a']).poll).toBe(false);
    expect(refusal(['--max-unchanged-stats=-1', 'a'])).toBe("invalid maximum number of unchanged stats between opens: '-1'");
    expect(refusal(['--max-unchanged-stats', '18446744073709551616', 'a'])).toBe("invalid maximum number of unchanged stats between opens: '18446744073709551616'");
  });

  it('reads -s as C’s strtod does, checking every -s given', () => {
    expect(parseArgs(['-s.1', 'a']).sleepInterval).toBe(0.1);
    expect(parseArgs(['-s', ' 2e-1', 'a']).sleepInterval).toBeCloseTo(0.2);
    expect(parseArgs(['-s', '0x1.8p1', 'a']).sleepInterval).toBe(3);
    expect(parseArgs(['-s', 'INF', 'a']).sleepInterval).toBe(Infinity);
    for (const bad of ['', '1 ', 'nan', '-1', '1e999', '0b1', '1,5']) {
      expect(refusal(['-s', bad, 'a'])).toBe(`invalid number of seconds for --sleep-interval: '${bad}'`);
    }
    expect(refusal(['-s', 'x', '-s', '1', 'a'])).toBe("invalid number of seconds for --sleep-interval: 'x'");
    expect([strtod('.5'), strtod('5.'), strtod('-0'), strtod('+.5e+1'), strtod('0X.8'), strtod('.')]).toEqual([0.5, 5, -0, 5, 0.5, undefined]);
  });

  it('says GNU’s warnings for --retry and --pid without follow', () => {
    expect(parseArgs(['--no-follow', '--retry', '--pid=1', 'a']).warnings).toEqual([
      'warning: --retry ignored; --retry is useful only when following',
      'warning: PID ignored; --pid=PID is useful only when following',
    ]);
    expect(parseArgs(['--retry', '--pid=1', 'a']).warnings).toEqual([]);
  });
});
