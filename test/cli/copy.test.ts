/**
 * The command's byte copy: files printed as they are (no follow, no processors, raw output) are copied in
 * blocks instead of going through the line engine. Which command lines take it, that its bytes are GNU
 * tail's, that it waits for a slow reader without queueing, and that it lets go of every file.
 */
import { EventEmitter } from 'node:events';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseArgs } from '../../src/cli/args.js';
import { buildProcessors } from '../../src/cli/processors.js';
import { canCopy, FileCopy } from '../../src/cli/copy.js';
import { runCli } from '../helpers/cli.js';
import { fdsUnder, openFds, tempDir } from '../helpers/fs.js';
import { prng } from '../helpers/random.js';
import { waitFor } from '../helpers/wait.js';

const GNU_TAIL = '/usr/bin/tail';
const MiB = 1 << 20;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A temp directory for the files of a whole describe block (tempDir() empties itself after each test). */
function sharedDir(): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tail-async-copy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** ~3 MB of lines of odd lengths (0–299 characters, some of them 2-, 3- and 4-byte UTF-8), NULs now and then. */
function oddLines(size: number, seed: number): Buffer {
  const rnd = prng(seed);
  const alphabet = ['a', 'b', 'c', ' ', 'é', '日', '😀', '\0', 'x', 'y', 'z', '='];
  const parts: string[] = [];
  let bytes = 0;
  while (bytes < size) {
    const length = rnd() % 300;
    let line = '';
    for (let i = 0; i < length; i++) line += alphabet[rnd() % alphabet.length];
    line += '\n';
    parts.push(line);
    bytes += Buffer.byteLength(line);
  }
  return Buffer.from(parts.join(''));
}

/** Counts the files the command copies (rather than handing them to the line engine). */
function countCopies(): () => number {
  const spy = vi.spyOn(FileCopy.prototype, 'copyTo');
  return () => spy.mock.calls.length;
}

function gnu(args: readonly string[]): { status: number; stdout: Buffer; stderr: string } {
  const result = spawnSync(GNU_TAIL, args, { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * MiB });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString().replace(/^\/usr\/bin\/tail: /gm, 'tail-async: ') };
}

describe('canCopy', () => {
  const cases: ReadonlyArray<readonly [string, string[], boolean]> = [
    ['no follow, last 10 lines', ['--no-follow', 'a.log'], true],
    ['-n +1', ['-n', '+1', '--no-follow', 'a.log'], true],
    ['-c N, several files, -v', ['-c', '5', '-v', '--no-follow', 'a.log', 'b.log'], true],
    ['-z', ['-z', '-n', '2', '--no-follow', 'a.log'], true],
    ['--color always without a pattern', ['--color', 'always', '--no-follow', 'a.log'], true],
    ['--pid (ignored without follow)', ['--pid', '1', '--no-follow', 'a.log'], true],
    ['follow by name (default)', ['a.log'], false],
    ['-f', ['-f', 'a.log'], false],
    ['-F', ['-F', 'a.log'], false],
    ['--follow=descriptor', ['--follow=descriptor', 'a.log'], false],
    ['--grep', ['--no-follow', '--grep', 'x', 'a.log'], false],
    ['--exclude', ['--no-follow', '--exclude', 'x', 'a.log'], false],
    ['--json', ['--no-follow', '--json', 'a.log'], false],
    ['--timestamp', ['--no-follow', '--timestamp', 'a.log'], false],
    ['--multiline-start', ['--no-follow', '--multiline-start', '^x', 'a.log'], false],
    ['--output jsonl', ['--no-follow', '--output', 'jsonl', 'a.log'], false],
    ['--prefix', ['--no-follow', '--prefix', 'a.log'], false],
    ['--state-file', ['--no-follow', '--state-file', 's.json', 'a.log'], false],
    ['--max-line-bytes', ['--no-follow', '--max-line-bytes', '100', 'a.log'], false],
  ];
  it.each(cases)('%s: %j → %s', async (_title, argv, expected) => {
    const options = parseArgs(argv);
    const processors = await buildProcessors(options, { cwd: process.cwd(), colour: options.color === 'always' });
    expect(canCopy(options, processors)).toBe(expected);
  });
});

describe('FileCopy.open', () => {
  it('leaves standard input, patterns, FIFOs, directories and missing files to the engine, holding nothing open', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const before = openFds().length;
    for (const name of ['-', path.join(dir, '*.log'), fifo, dir, path.join(dir, 'missing')]) {
      // A FIFO without a writer would block an open(): the answer must come at once.
      expect(await FileCopy.open(name, { fromLine: 1 }, 0x0a), name).toBeUndefined();
    }
    expect(openFds().length).toBe(before);
  });

  it('closes once, however often it is asked to', async () => {
    const file = path.join(await tempDir(), 'a.log');
    await writeFile(file, 'a\n');
    const copy = await FileCopy.open(file, { fromLine: 1 }, 0x0a);
    expect(fdsUnder(path.dirname(file))).toEqual([file]);
    await copy!.close();
    await copy![Symbol.asyncDispose]();
    expect(fdsUnder(path.dirname(file))).toEqual([]);
  });
});

describe('which runs copy', () => {
  it('copies regular files and hands standard input, patterns and missing files to the engine', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'logs'));
    await writeFile(path.join(dir, 'a.log'), 'a1\na2\n');
    await writeFile(path.join(dir, 'logs', 'b.log'), 'b1\n');
    const copies = countCopies();
    const result = await runCli(['--no-follow', '-n', '+1', path.join(dir, 'a.log'), '-', path.join(dir, 'logs', '*.log'), path.join(dir, 'nope')], { stdin: 's1\n' });
    expect(copies()).toBe(1);
    expect(result.stdout.toString()).toBe(
      `==> ${dir}/a.log <==\na1\na2\n\n==> standard input <==\ns1\n\n==> ${dir}/logs/b.log <==\nb1\n`,
    );
    expect(result.stderr).toBe(`tail-async: cannot open '${dir}/nope' for reading: No such file or directory\n`);
    expect(result.status).toBe(1);
  });

  it.each([[['--grep', 'a']], [['--prefix']], [['--output', 'jsonl']], [['--max-line-bytes', '1K']]])('does not copy with %j', async (extra) => {
    const file = path.join(await tempDir(), 'a.log');
    await writeFile(file, 'a1\na2\n');
    const copies = countCopies();
    const result = await runCli(['--no-follow', '-n', '+1', ...extra, file]);
    expect(result.status).toBe(0);
    expect(copies()).toBe(0);
  });
});

describe('the copy prints what GNU tail prints', () => {
  const dir = sharedDir();
  const files: Record<string, Buffer> = {};
  const at = (name: string) => path.join(dir(), name);
  /** 1-based byte number of the second byte of the first 4-byte character after 1.5 MiB. */
  let midChar = 0;

  beforeAll(async () => {
    files['big.log'] = oddLines(3 * 1000 * 1000, 7);
    files['no-eol.log'] = oddLines(1_500_000, 8).subarray(0, -1);
    files['empty.log'] = Buffer.alloc(0);
    files['short.log'] = Buffer.from('one\ntwo\nthree\n');
    for (const [name, content] of Object.entries(files)) await writeFile(at(name), content);
    midChar = files['big.log']!.indexOf(Buffer.from('😀'), 1_500_000) + 2;
  });

  const cases: ReadonlyArray<readonly [string[], string[]]> = [
    [['-n', '+1'], ['big.log']],
    [['-n', '+2'], ['big.log']],
    // More lines to skip than one 1 MiB block holds.
    [['-n', '+20000'], ['big.log']],
    [['-n', '+100000000'], ['big.log']],
    [['-n', '7'], ['big.log']],
    [['-n', '15000'], ['big.log']],
    [['-c', '+1'], ['big.log']],
    [['-c', '100000'], ['big.log']],
    [['-z', '-n', '+3'], ['big.log']],
    [['-z', '-n', '4'], ['big.log']],
    [['-n', '+1'], ['no-eol.log']],
    [['-n', '3'], ['no-eol.log']],
    [[], ['no-eol.log']],
    [['-n', '+1'], ['empty.log']],
    [['-v'], ['empty.log']],
    [['-n', '+1'], ['short.log', 'empty.log', 'no-eol.log', 'missing.log', 'short.log']],
    [['-q', '-c', '+3'], ['short.log', 'empty.log', 'short.log']],
    [['-n', '2'], ['empty.log', 'empty.log']],
  ];
  it.each(cases)('tail %j %j', async (args, names) => {
    const copies = countCopies();
    const ours = await runCli(['--no-follow', ...args, ...names.map(at)]);
    const theirs = gnu([...args, ...names.map(at)]);
    expect(ours.stdout.equals(theirs.stdout), 'stdout').toBe(true);
    expect(ours.stderr).toBe(theirs.stderr);
    expect(ours.status).toBe(theirs.status);
    expect(copies()).toBe(names.filter((n) => n in files).length);
  });

  it('starts -c +N in the middle of a multi-byte character, at that byte', async () => {
    const args = ['-c', `+${midChar}`, at('big.log')];
    const ours = await runCli(['--no-follow', ...args]);
    expect(ours.stdout.equals(gnu(args).stdout)).toBe(true);
    expect(ours.stdout.equals(files['big.log']!.subarray(midChar - 1))).toBe(true);
  });
});

/** A stdout that takes each chunk late, reading its memory only when it is done with it. */
class SlowReader extends Writable {
  readonly chunks: Buffer[] = [];
  maxQueued = 0;
  writes = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.writes++;
    this.maxQueued = Math.max(this.maxQueued, this.writableLength);
    setTimeout(() => {
      this.chunks.push(Buffer.from(chunk));
      done();
    }, 2);
  }
}

async function runWith(argv: string[], stdout: Writable, during?: (signals: EventEmitter) => Promise<void>) {
  const stderr = new PassThrough();
  let errText = '';
  stderr.on('data', (d) => (errText += d));
  const signals = new EventEmitter();
  const running = main(argv, { stdin: new PassThrough(), stdout, stderr, signals, env: {} });
  await during?.(signals);
  const status = await running;
  return { status, stderr: errText };
}

describe('a slow or vanishing reader', () => {
  const dir = sharedDir();
  let file = '';
  let content: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    file = path.join(dir(), 'big.log');
    content = oddLines(5 * MiB, 9);
    await writeFile(file, content);
  });

  it('waits for a slow reader, one block at a time, and loses nothing', async () => {
    const stdout = new SlowReader();
    const before = openFds().length;
    const { status, stderr } = await runWith(['--no-follow', '-n', '+1', file], stdout);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(Buffer.concat(stdout.chunks).equals(content)).toBe(true);
    expect(stdout.writes).toBeGreaterThan(4);
    expect(stdout.maxQueued).toBeLessThanOrEqual(MiB);
    expect(openFds().length).toBe(before);
  });

  it('gives a PassThrough copies, so that a reader who reads late gets the right bytes', async () => {
    // Room for everything: the reader reads only once the command has ended.
    const stdout = new PassThrough({ highWaterMark: 64 * MiB });
    const { status } = await runWith(['--no-follow', '-n', '+1', '-v', file], stdout);
    expect(status).toBe(0);
    stdout.end();
    const chunks: Buffer[] = [];
    for await (const chunk of stdout) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(Buffer.concat([Buffer.from(`==> ${file} <==\n`), content]))).toBe(true);
  });

  it.each([
    ['at once', (done: (error: Error) => void, error: Error) => done(error)],
    ['a moment later', (done: (error: Error) => void, error: Error) => setImmediate(() => done(error))],
  ])('ends with status 141 and nothing on stderr on EPIPE (%s), with the file closed', async (_when, fail) => {
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, done) {
        if (++writes === 1) setImmediate(done);
        else fail(done, Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const result = await runWith(['--no-follow', '-n', '+1', file, file], stdout);
    expect(result).toEqual({ status: 141, stderr: '' });
    expect(writes).toBe(2);
    expect(fdsUnder(path.dirname(file))).toEqual([]);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('ends with %s while a write never completes, with the file closed', async (signal, status) => {
    let writes = 0;
    const stdout = new Writable({
      write() {
        writes++;
      },
    });
    const result = await runWith(['--no-follow', '-n', '+1', file, file], stdout, async (signals) => {
      await waitFor(() => writes > 0, 'the first write');
      signals.emit(signal);
    });
    expect(result).toEqual({ status, stderr: '' });
    expect(writes).toBe(1);
    expect(fdsUnder(path.dirname(file))).toEqual([]);
  });
});

describe('a reader that never reads, without the copy', () => {
  it('still ends on SIGTERM while the line engine waits for it', async () => {
    const file = path.join(await tempDir(), 'a.log');
    await writeFile(file, 'x'.repeat(100_000) + '\n');
    let writes = 0;
    const stdout = new Writable({
      highWaterMark: 1024,
      write() {
        writes++;
      },
    });
    const result = await runWith(['--no-follow', '-n', '+1', '--grep', 'x', file], stdout, async (signals) => {
      await waitFor(() => writes > 0, 'the first write');
      signals.emit('SIGTERM');
    });
    expect(result).toEqual({ status: 143, stderr: '' });
    expect(fdsUnder(path.dirname(file))).toEqual([]);
  });
});

describe('files that fail', () => {
  it.skipIf(!existsSync('/proc/self/mem'))('reports a read error in GNU words after the header, exits 1 and goes on with the next file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'a\n');
    // Reading /proc/self/mem at offset 0 fails with EIO: a regular file whose first read fails (a /proc
    // file: read as a stream, by the line engine).
    const copies = countCopies();
    const result = await runCli(['--no-follow', '-n', '+1', path.join(dir, 'a.log'), '/proc/self/mem', path.join(dir, 'a.log')]);
    expect(copies()).toBe(2);
    // Its header comes first, as GNU prints it (GNU 9.1 would then stop; the file after it is still printed).
    expect(result.stdout.toString()).toBe(`==> ${dir}/a.log <==\na\n\n==> /proc/self/mem <==\n\n==> ${dir}/a.log <==\na\n`);
    expect(result.stderr).toBe(`tail-async: error reading '/proc/self/mem': Input/output error\n`);
    expect(result.status).toBe(1);
    expect(fdsUnder(dir)).toEqual([]);
  });

  it('closes every file on every way out: end, empty selection, missing file, EPIPE', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a.log');
    await writeFile(file, 'a\nb\n');
    const before = openFds().length;
    await runCli(['--no-follow', '-n', '+1', file, file]);
    await runCli(['--no-follow', '-n', '+9', file]);
    await runCli(['--no-follow', '-c', '0', file, path.join(dir, 'missing')]);
    const broken = new Writable({ write: (_c, _e, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    expect((await runWith(['--no-follow', file], broken)).status).toBe(141);
    expect(fdsUnder(dir)).toEqual([]);
    expect(openFds().length).toBe(before);
  });
});
