/**
 * Differential tests: `tail-async --no-follow ARGS FILE…` against GNU coreutils `tail ARGS FILE…`, byte for
 * byte on stdout, plus the exit status and stderr (GNU's with our `tail-async: ` prefix). Our side runs
 * in-process (runCli), on one corpus of edge-case files built once for the whole file; GNU's side runs in
 * one batch script (see test/helpers/batch.ts), alongside our tests.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { prng } from '../helpers/random.js';
import { Batch, batchDirectory, GNU_TAIL, type Outcome } from '../helpers/batch.js';

// ---------------------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------------------


/**
 * ~20 MB of lines of random length (0–399 bytes, now and then up to 100 KB), of random bytes other than
 * '\n' (so NULs, CRs and bytes >= 0x80 occur, and `-z` sees ~1 record per 255 bytes). Lines are cut from
 * a 1 MiB random pool, so building it costs a few copies, not a PRNG call per byte. No final newline.
 */
function bigFile(size: number): Buffer {
  const rnd = prng(20);
  const pool = Buffer.allocUnsafe(1 << 20);
  for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE(rnd(), i);
  for (let i = 0; i < pool.length; i++) if (pool[i] === 0x0a) pool[i] = 0x20;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  while (pos < size) {
    const r = rnd();
    const len = r % 1000 === 0 ? r % 100_000 : r % 400;
    const from = rnd() % (pool.length - len);
    const end = Math.min(pos + len, size);
    pool.copy(out, pos, from, from + (end - pos));
    pos = end;
    if (pos < size - 1) out[pos++] = 0x0a;
  }
  return out;
}

/** Lines longer than a 64 KiB block, with lengths around multiples of it. */
function longLines(): Buffer {
  const K64 = 64 * 1024;
  const lengths = [70_000, K64 - 1, K64, K64 + 1, 2 * K64 - 1, 2 * K64, 2 * K64 + 1, 200_003, 1, 0, 3 * K64 + 5, 100_000, K64 - 2];
  return Buffer.concat(lengths.map((len, i) => Buffer.concat([Buffer.alloc(len, 0x61 + (i % 26)), Buffer.from('\n')])));
}

/** 'x' bytes with newlines at exactly these distances from the end (the last byte is a newline). */
function newlinesAtDistances(size: number, distances: readonly number[]): Buffer {
  const buf = Buffer.alloc(size, 0x78);
  for (const d of distances) buf[size - d] = 0x0a;
  return buf;
}

const numbered = (n: number, eol = '\n') => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join(eol);

/** Name → content. Names are what the test titles show. */
const CORPUS: Record<string, () => Buffer> = {
  'empty': () => Buffer.alloc(0),
  'one-byte': () => Buffer.from('x'),
  'one-newline': () => Buffer.from('\n'),
  'one-line-no-eol': () => Buffer.from('just one line, no newline'),
  'lines-no-eol': () => Buffer.from(numbered(15)),
  'lines-eol': () => Buffer.from(numbered(15) + '\n'),
  'crlf': () => Buffer.from(numbered(14, '\r\n') + '\r\n'),
  'nul-in-lines': () => Buffer.from('a\0b\nc\0\0d\n\0\n\0start\nend\0\nplain\nx\0y\0z\n\0\0\0\nlast\0'),
  'nul-records': () => Buffer.from(Array.from({ length: 13 }, (_, i) => `rec ${i + 1}${i % 3 === 0 ? '\nwith newline' : ''}\0`).join('')),
  'only-newlines': () => Buffer.from('\n'.repeat(17)),
  'utf8': () => Buffer.from('héllo wörld\n日本語のテキスト\n😀 emoji 🎉\nÅngström\nα β γ δ\n€uro\n' + 'ünïcödé '.repeat(5) + '\n𝄞 clef\nend ✓'),
  'invalid-utf8': () =>
    Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xff, 0x0a, 0xc3, 0x0a, 0x61, 0xc3, 0x62, 0x0a, 0xff, 0xfe, 0xc3]), Buffer.from('\n\xe2\x82\n', 'latin1'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1])]),
  'one-mib-line': () => Buffer.concat([Buffer.alloc(1 << 20, 'abcdefghij'), Buffer.from('\n')]),
  'big-20mb': () => bigFile(20 * 1000 * 1000),
  'long-lines-64k': longLines,
  'newlines-at-64k-edges': () =>
    newlinesAtDistances(300_000, [1, 2, 65_534, 65_535, 65_536, 65_537, 131_069, 131_070, 131_071, 131_072, 131_073, 196_605, 196_606, 196_607]),
};

const gnu = new Batch([GNU_TAIL], GNU_TAIL);
// Not tempDir(): its afterEach hook would delete the corpus after the first test.
const dir = batchDirectory('gnu', [gnu], () => {
  for (const [name, make] of Object.entries(CORPUS)) writeFileSync(file(name), make());
  for (const [name, content] of Object.entries(STDIN)) writeFileSync(stdinFile(name), content);
  mkdirSync(file(DIRECTORY));
});
/** Absolute path of a corpus file (or of a name that does not exist). */
const file = (name: string) => path.join(dir, name);

// ---------------------------------------------------------------------------------------------------------
// Standard input contents (fed to both through a pipe)
// ---------------------------------------------------------------------------------------------------------

const STDIN: Readonly<Record<string, string | Buffer>> = {
  'lines': numbered(12) + '\n',
  'no final newline, CRLF': 'a\r\nb\r\nc\nd\ne',
  'empty': '',
  'bytes': Buffer.from([0x00, 0x0a, 0xff, 0xc3, 0x0a, 0xe2, 0x82, 0xac, 0x0a, 0x0d, 0x0a, 0x01]),
};
const stdinFile = (name: string) => file(`stdin-${Object.keys(STDIN).indexOf(name)}`);

// ---------------------------------------------------------------------------------------------------------
// GNU's side, batched
// ---------------------------------------------------------------------------------------------------------

/** One run: options, then corpus files by name; or standard input (a key of STDIN) when `stdin` is set. */
interface Case {
  readonly options: readonly string[];
  readonly files: readonly string[];
  readonly stdin?: string;
}

const CASES: Case[] = [];
/** GNU's outcome of each case, settled as the batch script gets through it. */
const GNU: Promise<Outcome>[] = [];

/** Registers a case for GNU's batch (at collection time); returns its id. */
function register(c: Case): number {
  CASES.push(c);
  GNU.push(gnu.add({ argv: [...c.options, ...c.files.map(file)], ...(c.stdin !== undefined && { stdin: { path: stdinFile(c.stdin), how: 'pipe' } }) }));
  return CASES.length - 1;
}

// ---------------------------------------------------------------------------------------------------------
// Our side, and the comparison
// ---------------------------------------------------------------------------------------------------------

/**
 * Ours, in-process. Should it not end within `hangMs` (an engine hang), it gets a SIGTERM so that the
 * test fails saying so, rather than at the test timeout.
 */
async function ours(c: Case, hangMs = 10_000): Promise<CliResult & { hung: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  let hung = false;
  const result = await runCli(['--no-follow', ...c.options, ...c.files.map(file)], {
    stdin: c.stdin === undefined ? '' : STDIN[c.stdin],
    during: async ({ signals }) => {
      timer = setTimeout(() => {
        hung = true;
        signals.emit('SIGTERM');
      }, hangMs);
    },
  });
  clearTimeout(timer);
  return { ...result, hung };
}

/** 'same', or where two outputs part (sizes, offset, a few bytes of each around it) without dumping megabytes. */
function compareBytes(actual: Buffer, expected: Buffer): string {
  if (actual.equals(expected)) return 'same';
  const n = Math.min(actual.length, expected.length);
  let i = 0;
  while (i < n && actual[i] === expected[i]) i++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(i - 16, 0), i + 16).toString('latin1'));
  return `ours ${actual.length} bytes, GNU ${expected.length} bytes; first difference at byte ${i}: ours ${around(actual)}, GNU ${around(expected)}`;
}

/** Runs case `id` on our side and compares with GNU's outcome. */
async function check(id: number, hangMs?: number): Promise<CliResult> {
  const actual = await ours(CASES[id]!, hangMs);
  expect(actual.hung, `still running after ${hangMs ?? 10_000} ms (stopped with SIGTERM)`).toBe(false);
  const expected = await GNU[id]!;
  expect(compareBytes(actual.stdout, expected.stdout), 'stdout').toBe('same');
  expect(actual.stderr, 'stderr').toBe(expected.stderr);
  expect(actual.status, 'exit status').toBe(expected.status);
  return actual;
}

const label = (args: readonly string[]) => (args.length === 0 ? '(no options)' : args.join(' '));

describe('the harness', () => {
  const tail2 = register({ options: ['-n', '2'], files: ['lines-eol'] });
  const missing = register({ options: [], files: ['does-not-exist'] });
  it('gets GNU tail\'s output, stderr and status', async () => {
    expect((await GNU[tail2]!).stdout.toString('latin1')).toBe('line 14\nline 15\n');
    expect(await GNU[missing]!).toEqual({
      status: 1,
      stdout: Buffer.alloc(0),
      stderr: `tail-async: cannot open '${file('does-not-exist')}' for reading: No such file or directory\n`,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// One file, every argument set
// ---------------------------------------------------------------------------------------------------------

const ARG_SETS: readonly (readonly string[])[] = [
  ['-n', '0'],
  ['-n', '1'],
  ['-n', '3'],
  [],
  ['-n', '10'],
  ['-n', '+1'],
  ['-n', '+2'],
  ['-n', '+1000'],
  ['-n', '1000000'],
  ['-c', '0'],
  ['-c', '1'],
  ['-c', '7'],
  ['-c', '+1'],
  ['-c', '+3'],
  ['-c', '1K'],
  ['-c', '2kB'],
  ['-n', '2', '-z'],
  ['-z', '-n', '+2'],
  ['-c', '5', '-n', '2'],
  ['-5'],
];
/** More forms of the same options, on a few of the files. */
const EXTRA_ARG_SETS: readonly (readonly string[])[] = [
  ['-n', '2', '-c', '5'],
  ['-n', '-3'],
  ['-c', '-7'],
  ['-n', '+0'],
  ['-c', '1M'],
  ['-z', '-c', '+4'],
  ['--lines=4'],
  ['--bytes=+100'],
];
const EXTRA_FILES = new Set(['lines-no-eol', 'utf8', 'nul-records', 'long-lines-64k']);

describe.each(Object.keys(CORPUS))('file %s', (name) => {
  // A deadline for a run that should end by itself (a hang): 3 s was too short once at load 7 for a
  // 1 MiB line (3.4 s); a run that ends takes no longer for it.
  const hangMs = name === 'big-20mb' ? 20_000 : 10_000;
  const argSets = EXTRA_FILES.has(name) ? [...ARG_SETS, ...EXTRA_ARG_SETS] : ARG_SETS;
  const rows = argSets.map((args) => [label(args), register({ options: args, files: [name] })] as const);
  it.each(rows)('tail %s', async (_label, id) => {
    await check(id, hangMs);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Several files: headers, -q, -v, empty and missing files
// ---------------------------------------------------------------------------------------------------------

const FILE_SETS: Readonly<Record<string, readonly string[]>> = {
  'two files': ['lines-eol', 'crlf'],
  'two files, the first without final newline': ['lines-no-eol', 'utf8'],
  'three, empty in the middle': ['utf8', 'empty', 'only-newlines'],
  'three, empty at the end': ['nul-in-lines', 'one-line-no-eol', 'empty'],
  'three, missing in the middle': ['crlf', 'does-not-exist', 'lines-no-eol'],
  'three, missing at the end': ['crlf', 'lines-eol', 'does-not-exist'],
  'two empty files': ['empty', 'empty'],
};
const MULTI_ARGS: readonly (readonly string[])[] = [[], ['-q'], ['-n', '2'], ['-c', '3'], ['-n', '+1'], ['-v'], ['-q', '-n', '1']];

describe.each(Object.entries(FILE_SETS))('%s', (_title, names) => {
  const rows = MULTI_ARGS.map((args) => [label(args), register({ options: args, files: names })] as const);
  it.each(rows)(`tail %s ${names.join(' ')}`, async (_label, id) => {
    const actual = await check(id);
    // GNU's status and wording, checked on their own too: status 1 and one line per missing file.
    const missing = names.filter((n) => !(n in CORPUS)).map(file);
    expect(actual.status).toBe(missing.length > 0 ? 1 : 0);
    expect(actual.stderr).toBe(missing.map((m) => `tail-async: cannot open '${m}' for reading: No such file or directory\n`).join(''));
  });
});

// ---------------------------------------------------------------------------------------------------------
// A directory among the files: opened, not readable; GNU prints its header, then the error
// ---------------------------------------------------------------------------------------------------------

/** A directory in the corpus directory, made before GNU runs. */
const DIRECTORY = 'a-directory';

describe('a directory among the files', () => {
  // Not `-c` nor `-n +N` with files after the directory: GNU 9.1 then stops at the directory and skips
  // them; tail-async reads them (README, Messages and exit status).
  const sets: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
    [['-n', '2'], [DIRECTORY, 'lines-eol']],
    [['-n', '2'], ['lines-eol', DIRECTORY]],
    [['-q', '-n', '1'], [DIRECTORY, 'crlf']],
    [['-v'], [DIRECTORY]],
    [['-n', '+1'], ['utf8', DIRECTORY]],
  ];
  const rows = sets.map(([args, names]) => [`${label(args)} ${names.join(' ')}`, register({ options: args, files: names })] as const);
  it.each(rows)('tail %s', async (_label, id) => {
    const actual = await check(id);
    expect(actual.status).toBe(1);
  });
});

describe('one file with -v or -q', () => {
  const CASES_V: readonly Case[] = [
    { options: ['-v'], files: ['lines-eol'] },
    { options: ['-v', '-n', '+1'], files: ['lines-no-eol'] },
    { options: ['-v', '-n', '+1'], files: ['crlf'] },
    { options: ['-v'], files: ['empty'] },
    { options: ['-v', '-c', '4'], files: ['utf8'] },
    { options: ['-v'], files: ['does-not-exist'] },
    { options: ['-q'], files: ['does-not-exist'] },
    { options: ['-v', '-q'], files: ['lines-eol'] },
    { options: ['-q', '-v'], files: ['lines-eol'] },
    { options: ['-q', '-v'], files: ['lines-eol', 'crlf'] },
    { options: ['-v', '-q'], files: ['lines-eol', 'crlf'] },
    { options: ['-qv'], files: ['lines-eol', 'crlf'] },
    { options: ['-vq'], files: ['lines-eol', 'crlf'] },
    { options: ['--silent', '-v'], files: ['lines-eol'] },
    { options: ['-v', '--quiet'], files: ['lines-eol', 'crlf'] },
    { options: ['-vn', '2'], files: ['lines-eol'] },
  ];
  const rows = CASES_V.map((c) => [`${label(c.options)} ${c.files.join(' ')}`, register(c)] as const);
  it.each(rows)('tail %s', async (_label, id) => {
    await check(id);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Standard input
// ---------------------------------------------------------------------------------------------------------

const STDIN_ARGS: readonly (readonly string[])[] = [['-n', '3'], ['-c', '5'], ['-n', '+2'], ['-v', '-n', '2'], ['-c', '+4'], ['-n', '0'], ['-z', '-n', '1']];

describe.each(Object.keys(STDIN))('stdin: %s', (name) => {
  const rows = STDIN_ARGS.map((args) => [label(args), register({ options: args, files: [], stdin: name })] as const);
  it.each(rows)('tail %s', async (_label, id) => {
    await check(id);
  });
});
