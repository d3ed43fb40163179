/**
 * File names in messages, quoted as GNU tail 9.1 quotes them (the installed `tail` is the oracle): a name
 * with escape sequences must not reach the terminal raw.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { quoteAlways, quoteIfNeeded } from '../../src/quote.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';

// (No ? or * in the names: tail-async reads an operand with them as a pattern, and says so.)

/** GNU tail's standard error for `args` in a UTF-8 locale, with its program name as ours. */
function gnu(args: string[]): string {
  const result = spawnSync('tail', args, { encoding: 'utf8', env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' } });
  return result.stderr.replaceAll(/^tail: /gm, 'tail-async: ');
}

const NAMES = [
  'plain.log',
  'missing\x1b]0;PWNED\x07.log',
  'a b',
  "it's",
  "it's #1",
  // (not "a'b\x07": GNU 9.1 writes a redundant '' before a name with an apostrophe that ends in an
  // unprintable character, '''a'\''b'$'\a'; the quoting here gives the equivalent 'a'\''b'$'\a')
  "a'\x07b",
  'tab\there',
  'new\nline',
  'del\x7f',
  '\x01\x02z',
  'é.log',
  '日志.log',
  '#start',
  'mid#dle',
  '~home',
  'x~',
  '{',
  'a{b}',
  'a=b',
  'a!b',
  'a$b',
  'back\\slash',
  'semi;colon',
  'a|b',
  'a^b',
  'a@b%c+d,e:f]g',
  '-dash',
  '\u0085next-line',
];

describe('file names in messages', () => {
  it.each(NAMES)('quotes %j in "cannot open" as GNU does', async (name) => {
    const file = path.join(await tempDir(), name);
    const ours = await runCli(['--no-follow', '--', file]);
    expect(ours.stderr).toBe(gnu(['--', file]));
    expect(ours.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it.each(['dir', 'a dir', 'esc\x1b[2Jdir'])('quotes %j as GNU does in "cannot follow", bare when it can', async (name) => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, name));
    const ours = await runCli(['-f', path.join(cwd, name)]);
    expect(ours.stderr).toBe(gnu(['-f', path.join(cwd, name)]));
  });

  it('quotes nothing twice and leaves a plain name bare where GNU does', () => {
    expect(quoteIfNeeded('app.log')).toBe('app.log');
    expect(quoteAlways('app.log')).toBe("'app.log'");
    expect(quoteIfNeeded('')).toBe("''");
  });
});
