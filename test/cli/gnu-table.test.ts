/**
 * GNU coreutils' own table of tail tests (tests/tail/tail.pl, as test/fixtures/gnu-tail-table.json), run
 * the way its driver runs it: each row with the input as a FILE operand, redirected (`< FILE`) and through
 * a pipe (`cat FILE |`), as tail.pl keeps them, with the row's POSIXLY_CORRECT / _POSIX2_VERSION. GNU tail
 * 9.1 runs every case in one batch script; tail-async runs each in-process (`main()`, with the same
 * arguments, environment and input), plus a few cases through the real binary with real redirections
 * (TAIL_ASYNC_GNU_TABLE_BINARY=all: every case). tail-async gets `--no-follow` (it follows by default;
 * GNU does not), except on rows that follow (`-f`).
 *
 * Each case checks that GNU 9.1 passes the row (or, for rows written for a later coreutils, that it does
 * not), and that tail-async prints what GNU 9.1 prints: stdout byte for byte, stderr with our name, and
 * the exit status, but for usage errors, where tail-async exits 2 and adds its "Try" line (README, GNU
 * differences).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { asUsageError, Batch, batchDirectory, expectOutcome, GNU_TAIL, type Outcome } from '../helpers/batch.js';
import { BIN } from '../helpers/spawn.js';

type Variant = 'file' | 'redirect' | 'pipe';

interface Row {
  readonly name: string;
  readonly args: readonly string[];
  readonly input: string;
  readonly output: string;
  readonly exit: number;
  readonly stderr?: string;
  /** tail.pl's ERR_SUBST: here always `s/': .*\/'/` (strerror texts differ between systems). */
  readonly stderrSubst?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly variants: readonly Variant[];
}

const TABLE = JSON.parse(readFileSync(new URL('../fixtures/gnu-tail-table.json', import.meta.url), 'utf8')) as { rows: Row[] };

/**
 * Rows GNU 9.1 itself fails: they expect what coreutils 9.6 and later do ("no longer fail merely because
 * NUM stands for 2**64 or more"). tail-async does what 9.1 does (README, GNU differences).
 */
const LATER_GNU = new Set(['obs-plus-c3', 'big-c']);
/** Usage errors: tail-async says GNU's words, adds its hint, and exits 2 where GNU exits 1. */
const USAGE_ERRORS = new Set(['err-2', 'err-4', 'err-6', ...LATER_GNU]);

/** Cases also run through bin/tail-async.js (all of them with TAIL_ASYNC_GNU_TABLE_BINARY=all). */
const BINARY_CASES = new Set(['obs-plus-c1.file', 'obs-c5.redirect', 'obs-l3.pipe', 'obs-b.file', 'err-2.file', 'minus-2.redirect', 'f-pipe-1.pipe', 'zero-2.pipe']);
const allThroughBinary = process.env.TAIL_ASYNC_GNU_TABLE_BINARY === 'all';

const gnu = new Batch([GNU_TAIL], GNU_TAIL);
const binary = new Batch([process.execPath, BIN], BIN);
const dir = batchDirectory('gnu-table', [gnu, binary], () => {
  for (const row of TABLE.rows) writeFileSync(inputOf(row), row.input, 'latin1');
});
const inputOf = (row: Row) => path.join(dir, `${row.name}.in`);

/** What tail-async is given: GNU's arguments, `--no-follow` unless the row follows, and the file operand. */
function ourArgs(row: Row, variant: Variant): string[] {
  const follows = row.args.some((a) => /^-[^-]*f/.test(a));
  return [...(follows ? [] : ['--no-follow']), ...row.args, ...(variant === 'file' ? [inputOf(row)] : [])];
}

function gnuArgs(row: Row, variant: Variant): string[] {
  return [...row.args, ...(variant === 'file' ? [inputOf(row)] : [])];
}

const stdinOf = (row: Row, variant: Variant) => (variant === 'file' ? undefined : { path: inputOf(row), how: variant });

/** The row's expectation, as our batch reports outcomes (`tail-async: ` for the program's name). */
function passesRow(row: Row, outcome: Outcome): boolean {
  const subst = (text: string) => (row.stderrSubst ? text.replace(/': .*/g, "'") : text);
  const expectedErr = subst((row.stderr ?? '').replace(/^tail: /gm, 'tail-async: '));
  return outcome.stdout.toString('latin1') === row.output && outcome.status === row.exit && subst(outcome.stderr) === expectedErr;
}

/** GNU 9.1's outcome as tail-async is to give it: the same, but for the documented usage-error difference. */
function asOurs(row: Row, outcome: Outcome): Outcome {
  return USAGE_ERRORS.has(row.name) ? asUsageError(outcome) : outcome;
}

const cases = TABLE.rows.flatMap((row) =>
  row.variants.map((variant) => {
    const id = `${row.name}.${variant}`;
    const gnuOutcome = gnu.add({ argv: gnuArgs(row, variant), env: row.env, stdin: stdinOf(row, variant) });
    const viaBinary = allThroughBinary || BINARY_CASES.has(id) ? binary.add({ argv: ourArgs(row, variant), env: row.env, stdin: stdinOf(row, variant) }) : undefined;
    return { id, row, variant, gnuOutcome, viaBinary };
  }),
);

/** How each case came out, for the summary at the end. */
const tally = { same: 0, usageDifference: 0, laterGnu: 0 };

describe('coreutils tests/tail/tail.pl, GNU 9.1 and tail-async side by side', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, { row, variant, gnuOutcome, viaBinary }) => {
    const expected = await gnuOutcome;
    expect(passesRow(row, expected), `GNU 9.1 ${LATER_GNU.has(row.name) ? 'fails' : 'passes'} the row`).toBe(!LATER_GNU.has(row.name));
    const ours = asOurs(row, expected);
    const actual = await runCli(ourArgs(row, variant), { stdin: variant === 'file' ? '' : Buffer.from(row.input, 'latin1'), env: { ...row.env } });
    expectOutcome(actual, ours);
    if (viaBinary) expectOutcome(await viaBinary, ours);
    tally[LATER_GNU.has(row.name) ? 'laterGnu' : USAGE_ERRORS.has(row.name) ? 'usageDifference' : 'same']++;
  });

  it('adds up: every case passed as GNU 9.1 does, or with a documented difference', () => {
    if (tally.same + tally.usageDifference + tally.laterGnu !== cases.length) return; // some cases were filtered out
    expect(tally).toEqual({ same: 108, usageDifference: 9, laterGnu: 6 });
  });
});
