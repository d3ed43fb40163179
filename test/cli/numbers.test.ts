/**
 * parseCount: the -n/-c argument, GNU tail's grammar (coreutils 9.1 `tail`, gnulib xstrtoumax with the
 * suffixes "bkKmMGTPEZYRQ0"). Every row is also run through /usr/bin/tail and must agree with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCount, type Count } from '../../src/cli/numbers.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { runCli } from '../helpers/cli.js';

const SAFE = Number.MAX_SAFE_INTEGER;
const TOO_LARGE = ': Value too large for defined data type';

interface Row {
  readonly input: string;
  readonly what: 'lines' | 'bytes';
  /** The count, or the whole error message. */
  readonly expected: Count | string;
}

/** A valid count: K from the end, or from the start with `fromStart`. */
const ok = (input: string, count: number, fromStart = false, what: Row['what'] = 'lines'): Row => ({ input, what, expected: { fromStart, count } });
/** An invalid one; GNU quotes the argument without a leading '-'. */
const bad = (input: string, what: Row['what'] = 'lines', quoted = input.replace(/^-/, ''), detail = ''): Row => ({
  input,
  what,
  expected: `invalid number of ${what}: '${quoted}'${detail}`,
});
const tooLarge = (input: string, what: Row['what'] = 'lines') => bad(input, what, undefined, TOO_LARGE);

const ROWS: readonly Row[] = [
  // plain
  ok('0', 0),
  ok('10', 10),
  ok('007', 7),
  ok('12345', 12345, false, 'bytes'),
  // +N: from the start
  ok('+1', 1, true),
  ok('+0', 0, true),
  ok('+25', 25, true, 'bytes'),
  // -N: the same as N
  ok('-3', 3),
  ok('-0', 0),
  ok('-+7', 7),
  // leading blanks (only before the digits; a sign after them is no "from the start")
  ok(' 7', 7),
  ok('\t 7', 7, false, 'bytes'),
  ok('\n7', 7),
  ok(' +7', 7),
  ok('- 7', 7),
  // suffixes
  ok('1b', 512, false, 'bytes'),
  ok('3b', 1536, false, 'bytes'),
  ok('1k', 1024, false, 'bytes'),
  ok('1K', 1024, false, 'bytes'),
  ok('3kB', 3000, false, 'bytes'),
  ok('1KB', 1000, false, 'bytes'),
  ok('1KiB', 1024, false, 'bytes'),
  ok('1kiB', 1024, false, 'bytes'),
  ok('1KD', 1000, false, 'bytes'),
  ok('2M', 2 * 1024 * 1024, false, 'bytes'),
  ok('2m', 2 * 1024 * 1024, false, 'bytes'),
  ok('2MB', 2_000_000, false, 'bytes'),
  ok('2MiB', 2 * 1024 * 1024, false, 'bytes'),
  ok('1G', 1024 ** 3, false, 'bytes'),
  ok('1GB', 1e9, false, 'bytes'),
  ok('1GiB', 1024 ** 3, false, 'bytes'),
  ok('1T', 1024 ** 4, false, 'bytes'),
  ok('1TB', 1e12),
  ok('1P', 1024 ** 5, false, 'bytes'),
  ok('+1K', 1024, true, 'bytes'),
  ok('-2K', 2048, false, 'bytes'),
  ok('+2kB', 2000, true, 'bytes'),
  ok('0K', 0, false, 'bytes'),
  // a suffix alone stands for one of it
  ok('K', 1024, false, 'bytes'),
  ok('kB', 1000, false, 'bytes'),
  ok('b', 512, false, 'bytes'),
  ok('-K', 1024, false, 'bytes'),
  // huge values below 2^64 clamp to the largest safe integer
  ok('9007199254740991', SAFE),
  ok('9007199254740992', SAFE),
  ok('18446744073709551615', SAFE, false, 'bytes'),
  ok('+18446744073709551615', SAFE, true, 'bytes'),
  ok('1E', SAFE, false, 'bytes'),
  ok('15E', SAFE, false, 'bytes'),
  ok('8EB', SAFE),
  // 2^64 and more: GNU's "Value too large for defined data type"
  tooLarge('18446744073709551616'),
  tooLarge('99999999999999999999', 'bytes'),
  tooLarge('-99999999999999999999'),
  tooLarge('+99999999999999999999'),
  tooLarge('16E', 'bytes'),
  tooLarge('1Z', 'bytes'),
  tooLarge('1Y'),
  tooLarge('99999999999999999999K', 'bytes'),
  // invalid
  bad(''),
  bad('abc'),
  bad('abc', 'bytes'),
  bad('1x'),
  bad('1e3'),
  bad('0x10'),
  bad('5.5'),
  bad('-abc'),
  bad('+abc'),
  bad('-'),
  bad('+'),
  bad('++1'),
  bad('+-1'),
  bad('--1'),
  bad(' -7'),
  bad('+ 7'),
  bad('7 '),
  bad('1 K', 'bytes'),
  bad('1g', 'bytes'),
  bad('1t', 'bytes'),
  bad('1e', 'bytes'),
  bad('1B', 'bytes'),
  bad('1c', 'bytes'),
  bad('1w', 'bytes'),
  bad('1Kb', 'bytes'),
  bad('1KIB', 'bytes'),
  bad('1Ki', 'bytes'),
  bad('1KiBx', 'bytes'),
  bad('1bB', 'bytes'),
  bad('1biB', 'bytes'),
  bad('+K', 'bytes'),
  bad(' K', 'bytes'),
  bad('99999999999999999999x'), // too large, but first of all not a number: no "Value too large"
];

const show = (s: string) => JSON.stringify(s);

describe('parseCount', () => {
  it.each(ROWS.map((row) => [show(row.input), row.what, row] as const))('%s as %s', (_shown, what, { input, expected }) => {
    if (typeof expected !== 'string') {
      expect(parseCount(input, what)).toEqual(expected);
      return;
    }
    let error: unknown;
    try {
      parseCount(input, what);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(expected);
  });

  it('the message of the command names the argument as GNU does', async () => {
    const result = await runCli(['--no-follow', '-n', 'abc', '/dev/null']);
    expect(result.stderr.split('\n')[0]).toBe("tail-async: invalid number of lines: 'abc'");
    expect(result.status).toBe(2);
  });
});

/**
 * The same rows through GNU tail: a valid count must select the same bytes (`-c` on a file of known size,
 * big enough to tell M from MB); an invalid one must be refused with the same words.
 */
describe('parseCount agrees with GNU tail', () => {
  const SIZE = 2_200_000;
  let dir = '';
  let data = '';

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tail-async-numbers-'));
    data = path.join(dir, 'data');
    writeFileSync(data, Buffer.alloc(SIZE, 'abcdefghi\n'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const gnu = (args: string[]) => {
    const r = spawnSync('/usr/bin/tail', args, { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 2 * SIZE });
    if (r.error) throw r.error;
    return { status: r.status, length: r.stdout.length, stderr: r.stderr.toString('utf8') };
  };

  it.each(ROWS.map((row) => [row.what === 'lines' ? '-n' : '-c', show(row.input), row] as const))('tail %s %s', (_flag, _shown, { input, what, expected }) => {
    if (typeof expected === 'string') {
      const r = gnu([what === 'lines' ? '-n' : '-c', input, data]);
      expect(r.status).toBe(1);
      expect(r.stderr.split('\n')[0]).toBe(`/usr/bin/tail: ${expected}`);
      return;
    }
    // Valid either way: the count itself is checked with -c, bytes being easy to count.
    const r = gnu(['-c', input, data]);
    expect(r.stderr).toBe('');
    const { fromStart, count } = expected;
    expect(r.length).toBe(fromStart ? Math.max(SIZE - Math.max(count, 1) + 1, 0) : Math.min(count, SIZE));
  });
});
