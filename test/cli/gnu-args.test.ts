/**
 * Command lines GNU tail 9.1 reads in its own way, side by side with tail-async: `-s.1`, `-cl`, the
 * obsolete `-5`/`+2c` forms exactly where GNU takes them (POSIXLY_CORRECT, _POSIX2_VERSION), the last of
 * -n/-c beyond `--`, a `+` that sticks, `-n 0` printing nothing, GNU's warnings. GNU runs every line in one
 * batch script; tail-async runs each in-process with `--no-follow` (an option of its own, which the
 * obsolete form does not count), both from the directory of the files, named as given. Usage errors are
 * compared as documented: GNU's words, our hint, status 2 (README, GNU differences).
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { asUsageError, Batch, batchDirectory, expectOutcome, GNU_TAIL } from '../helpers/batch.js';

const FILES: Record<string, string> = {
  f: Array.from({ length: 12 }, (_, i) => `${i + 1}\n`).join(''),
  g: 'a\nb\nc\n',
  '-xc': 'aaa\nbbb\nccc\n',
};
const STDIN = 'x\ny\nz\n';

interface Line {
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
  /** Standard input through a pipe (else /dev/null). */
  readonly stdin?: true;
  /** GNU refuses the command line (status 1): tail-async says the same words with its hint, status 2. */
  readonly usage?: true;
}

const LINES: readonly Line[] = [
  // -s takes C's strtod numbers (every coreutils follow test passes -s.1)
  { argv: ['-s.1', '-n1', 'f'] },
  { argv: ['-s', '1e-1', '-n1', 'f'] },
  { argv: ['-s', '0x1p-3', '-n1', 'f'] },
  { argv: ['-s', 'inf', '-n1', 'f'] },
  // a value glued to its option, even one that looks like an option
  { argv: ['-cl'], usage: true },
  { argv: ['-nl'], usage: true },
  { argv: ['-c', '--'], usage: true },
  { argv: ['-n', '-c', '2', 'f'], usage: true },
  // the last of -n and -c wins, and operands after -- are not options
  { argv: ['-c', '3', '-n', '1', '--', '-xc'] },
  { argv: ['-n', '1', '-c', '3', '--', '-xc'] },
  { argv: ['-n', '+2', '-n', '3', 'f'] },
  { argv: ['-c', '+2', '-n', '1', 'g'] },
  { argv: ['-n', 'abc', '-n', '5', 'f'], usage: true },
  { argv: ['-n', '5', '-n', 'abc', 'f'], usage: true },
  // nothing to print: no header, no error, no read
  { argv: ['-n', '0', 'f', 'g'] },
  { argv: ['-n', '0', 'f', 'missing'] },
  { argv: ['-c', '0', 'missing'] },
  { argv: ['-c', '-0', 'f', 'g'] },
  { argv: ['-n', '+0', 'f', 'g'] },
  { argv: ['-n', '0'], stdin: true },
  // the obsolete forms, where GNU takes them
  { argv: ['+2', 'f'] },
  { argv: ['+2c', 'f'] },
  { argv: ['-2', 'f'] },
  { argv: ['-2', '--', 'f'] },
  { argv: ['-2c', 'f'] },
  { argv: ['-2l', '--', 'f'] },
  { argv: ['-1b', 'f'] },
  { argv: ['+c', 'f'] },
  { argv: ['-l', 'f'] },
  { argv: ['-2'], stdin: true },
  { argv: ['-2', '-'], stdin: true },
  { argv: ['+2', '--', '-xc'] },
  { argv: ['-c', '+2', 'g'] },
  { argv: ['-2', 'f', 'g'], usage: true },
  { argv: ['-2', '-v', 'f'], usage: true },
  { argv: ['-v', '-2', 'f'], usage: true },
  { argv: ['f', '-2'], usage: true },
  { argv: ['-2', 'f', '--'], usage: true },
  { argv: ['-2fc', 'f'], usage: true },
  { argv: ['+2', 'f'], env: { _POSIX2_VERSION: '200112' } },
  { argv: ['-2', 'f'], env: { _POSIX2_VERSION: '200112' } },
  { argv: ['-c', 'f'], env: { _POSIX2_VERSION: '199209' } },
  { argv: ['-', 'f'], env: { _POSIX2_VERSION: '199209' } },
  { argv: ['-'], env: { _POSIX2_VERSION: '199209' }, stdin: true },
  { argv: ['+2', 'f'], env: { _POSIX2_VERSION: 'junk' } },
  // POSIXLY_CORRECT: options end at the first operand
  { argv: ['f', '-n', '1'], env: { POSIXLY_CORRECT: '1' } },
  { argv: ['-n', '1', 'f'], env: { POSIXLY_CORRECT: '1' } },
  { argv: ['f', '-n', '1'] },
  // long options by any unambiguous start; -q/-v: the last wins
  { argv: ['--li=2', 'f'] },
  { argv: ['--by', '3', 'f'] },
  { argv: ['--si', 'f', 'g'] },
  { argv: ['-q', '-v', 'f', 'g'] },
  { argv: ['-v', '-q', 'f', 'g'] },
  { argv: ['--ver'], usage: true },
  // GNU's options for its own tests, and its warnings
  { argv: ['--max-unchanged-stats=1', '---disable-inotify', '-n1', 'f'] },
  { argv: ['--max-unchanged-stats=x', 'f'], usage: true },
  { argv: ['--retry', '-n1', 'f'] },
  { argv: ['--pid=1', '-n1', 'f'] },
];

const gnu = new Batch([GNU_TAIL], GNU_TAIL);
const cwd = process.cwd();
const dir = batchDirectory(
  'gnu-args',
  [gnu],
  (made) => {
    for (const [name, content] of Object.entries(FILES)) writeFileSync(path.join(made, name), content);
    writeFileSync(path.join(made, 'stdin'), STDIN);
    // Files are named as given (a relative `-xc` after `--` is the point of one case): run from their directory.
    process.chdir(made);
  },
  () => process.chdir(cwd),
);
const cases = LINES.map((line) => ({
  title: `${Object.entries(line.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}tail ${line.argv.join(' ')}${line.stdin ? ' <pipe' : ''}`,
  line,
  expected: gnu.add({ argv: line.argv, ...(line.env && { env: line.env }), ...(line.stdin && { stdin: { path: path.join(dir, 'stdin'), how: 'pipe' as const } }) }),
}));

describe('command lines, GNU 9.1 and tail-async side by side', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, { line, expected }) => {
    const outcome = await expected;
    if (line.usage) expect(outcome.status, 'GNU refuses it').toBe(1);
    const ours = line.usage ? asUsageError(outcome) : outcome;
    const actual = await runCli(['--no-follow', ...line.argv], { stdin: line.stdin ? STDIN : '', env: { ...line.env } });
    expectOutcome(actual, ours);
  });
});
