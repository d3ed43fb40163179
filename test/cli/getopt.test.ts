/** tokenize: the command line read once, in order, as glibc's getopt_long reads GNU tail's. */
import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../src/cli/flags.js';
import { tokenize, type Token } from '../../src/cli/getopt.js';
import { refusalOf } from '../helpers/usage.js';

/** Tokens as `-name=value` / `-name` / operands, to compare at a glance. */
const read = (argv: string[], stopAtOperand = false) =>
  tokenize(argv, FLAGS, { stopAtOperand }).map((t: Token) => (t.kind === 'operand' ? t.value : `-${t.flag.name}${t.value === undefined ? '' : `=${t.value}`}`));

const refusal = (argv: string[]) => refusalOf(() => tokenize(argv, FLAGS, { stopAtOperand: false }));

describe('tokenize', () => {
  it.each([
    [['-n', '5', 'a'], ['-lines=5', 'a']],
    [['-n5', 'a'], ['-lines=5', 'a']],
    [['-qzn', '5'], ['-quiet', '-zero-terminated', '-lines=5']],
    [['-qzn5'], ['-quiet', '-zero-terminated', '-lines=5']],
    [['-s.1'], ['-sleep-interval=.1']],
    [['-cl'], ['-bytes=l']],
    [['-n', '-5'], ['-lines=-5']],
    [['-c', '--'], ['-bytes=--']],
    [['--lines=2', '--lines', '3', '--li', '4', '--byt=+1'], ['-lines=2', '-lines=3', '-lines=4', '-bytes=+1']],
    [['--si', '--q'], ['-quiet', '-quiet']],
    [['a', '-n', '1', 'b'], ['a', '-lines=1', 'b']],
    [['-c', '3', '-n', '1', '--', '-xc', '-n'], ['-bytes=3', '-lines=1', '-xc', '-n']],
    [['-', '--', '-'], ['-', '-']],
    [['--follow', 'name'], ['-follow=name', 'name']],
    [['--foll=descriptor', '--fo'], ['-follow=descriptor', '-follow=name']],
    [['-fF'], ['-f', '-F']],
    [['---disable-inotify', '--max-unchanged-stats=1'], ['--disable-inotify', '-max-unchanged-stats=1']],
  ])('reads %j as %j', (argv, tokens) => {
    expect(read(argv)).toEqual(tokens);
  });

  it('stops at the first operand when POSIXLY_CORRECT is set, as glibc does', () => {
    expect(read(['-n', '1', 'a', '-q', 'b'], true)).toEqual(['-lines=1', 'a', '-q', 'b']);
    expect(read(['-n', '1', 'a', '-q', 'b'])).toEqual(['-lines=1', 'a', '-quiet', 'b']);
  });

  it.each([
    [['-Q'], "invalid option -- 'Q'"],
    [['-n'], "option requires an argument -- 'n'"],
    [['-qc'], "option requires an argument -- 'c'"],
    [['-2cX'], 'option used in invalid context -- 2'],
    [['-n', '1', '-5'], 'option used in invalid context -- 5'],
    [['--bogus'], "unrecognized option '--bogus'"],
    [['--bogus=x'], "unrecognized option '--bogus=x'"],
    [['--lines'], "option '--lines' requires an argument"],
    [['--quiet=3'], "option '--quiet' doesn't allow an argument"],
    [['--ver'], "option '--ver' is ambiguous; possibilities: '--verbose' '--version'"],
  ])('refuses %j in glibc’s words', (argv, message) => {
    expect(refusal(argv)).toBe(message);
  });
});
