import { spawn } from 'node:child_process';
import { appendFile, mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { prng } from '../helpers/random.js';
import { waitFor } from '../helpers/wait.js';

async function logFile(content: string, name = 'app.log'): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, content);
  return file;
}

describe('tail-async command (in process)', () => {
  it('prints the last 10 lines and then follows by default, until SIGTERM (status 143)', async () => {
    const file = await logFile(Array.from({ length: 15 }, (_, i) => `l${i + 1}`).join('\n') + '\n');
    const result = await runCli([file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text.includes('l15\n'), 'the last 10 lines');
        await appendFile(file, 'appended\n');
        await waitFor(() => stdout.text.endsWith('appended\n'), 'the appended line');
        signals.emit('SIGTERM');
      },
    });
    expect(result.status).toBe(143);
    expect(result.stdout.toString()).toBe(['l6', 'l7', 'l8', 'l9', 'l10', 'l11', 'l12', 'l13', 'l14', 'l15', 'appended', ''].join('\n'));
    expect(result.stderr).toBe('');
  });

  it('ends with status 130 on SIGINT', async () => {
    const file = await logFile('x\n');
    const result = await runCli([file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text === 'x\n', 'the line');
        signals.emit('SIGINT');
      },
    });
    expect(result.status).toBe(130);
  });

  it('streams standard input line by line, before it ends, and exits 0 at its end', async () => {
    const result = await runCli([], {
      keepStdinOpen: true,
      during: async ({ stdin, stdout }) => {
        stdin.write('first\n');
        await waitFor(() => stdout.text === 'first\n', 'the first line before EOF');
        stdin.end('second\n');
      },
    });
    expect(result).toEqual({ status: 0, stdout: Buffer.from('first\nsecond\n'), stderr: '' });
  });

  it('treats - as standard input', async () => {
    const result = await runCli(['-', '--no-follow'], { stdin: 'a\nb\n' });
    expect(result.stdout.toString()).toBe('a\nb\n');
  });

  it('refuses to wait on a terminal: no file and stdin is a TTY gives a usage hint and status 2', async () => {
    const result = await runCli([], { tty: true });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("tail-async: no input: give a file to follow, or pipe data into standard input\nTry 'tail-async --help' for more information.\n");
  });

  it.each([
    [['-n', 'abc', 'x'], "tail-async: invalid number of lines: 'abc'"],
    [['-c', '1x', 'x'], "tail-async: invalid number of bytes: '1x'"],
    [['--bogus', 'x'], "tail-async: unrecognized option '--bogus'"],
    [['-Q', 'x'], "tail-async: invalid option -- 'Q'"],
    [['-n'], "tail-async: option requires an argument -- 'n'"],
    [['--output', 'xml', 'x'], "tail-async: invalid argument 'xml' for '--output'"],
    [['--follow=sideways', 'x'], "tail-async: invalid argument 'sideways' for '--follow'"],
    [['--pid', 'abc', 'x'], "tail-async: invalid PID: 'abc'"],
    [['-s', '-1', '--poll', 'x'], "tail-async: invalid number of seconds for --sleep-interval: '-1'"],
    [['--max-open-files', '0', 'x'], "tail-async: invalid --max-open-files: '0'"],
    [['--max-open-files', '2k', 'x'], "tail-async: invalid --max-open-files: '2k'"],
    [['--max-open-files', '1e300', 'x'], "tail-async: invalid --max-open-files: '1e300'"],
    [['--max-line-bytes', '-1', 'x'], "tail-async: invalid --max-line-bytes: '-1'"],
    [['--max-line-bytes', '+1', 'x'], "tail-async: invalid --max-line-bytes: '+1'"],
    [['--max-line-bytes', '0', 'x'], "tail-async: invalid --max-line-bytes: '0'"],
    [['--max-line-bytes', '1e300', 'x'], "tail-async: invalid --max-line-bytes: '1e300'"],
    [['--max-line-bytes', '99999E', 'x'], "tail-async: invalid --max-line-bytes: '99999E'"],
    [['--processor-timeout', '0.0001', 'x'], "tail-async: invalid number of seconds for --processor-timeout: '0.0001' (at least 0.001)"],
    [['--processor-timeout', '0', 'x'], "tail-async: invalid number of seconds for --processor-timeout: '0' (at least 0.001)"],
    [['--processor-timeout', '1e400', 'x'], "tail-async: invalid number of seconds for --processor-timeout: '1e400'"],
    [['--multiline-timeout', '0.0001', 'x'], "tail-async: invalid number of seconds for --multiline-timeout: '0.0001' (at least 0.001)"],
    [['-s', '1e400', 'x'], "tail-async: invalid number of seconds for --sleep-interval: '1e400'"],
    [['-s', 'nan', 'x'], "tail-async: invalid number of seconds for --sleep-interval: 'nan'"],
    [['--rotate-wait', '-0.5', 'x'], "tail-async: invalid number of seconds for --rotate-wait: '-0.5'"],
    [['--rotate-wait', '1e999', 'x'], "tail-async: invalid number of seconds for --rotate-wait: '1e999'"],
    [['--pid', '1e300', 'x'], "tail-async: invalid PID: '1e300'"],
  ])('rejects %j with one line, a hint, status 2 and no stack trace', async (argv, message) => {
    const result = await runCli(argv);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${message}\nTry 'tail-async --help' for more information.\n`);
    expect(result.stdout.length).toBe(0);
  });

  // Each form against the output it must give (not only against the other forms: all failing alike
  // would pass that). <A> and <B> stand for the two files' names.
  it.each([
    // (-2 is GNU's obsolete form, taken with one file at most, as GNU takes it: see gnu-args.test.ts)
    ['==> <A> <==\n2\n3\n\n==> <B> <==\n5\n6\n', [['-n', '2'], ['--lines=2'], ['--lines', '2'], ['-n2'], ['--li', '2']]],
    ['==> <A> <==\n\n3\n\n==> <B> <==\n\n6\n', [['-c', '3'], ['--bytes=3'], ['--bytes', '3'], ['-c3'], ['--by=3']]],
    ['1\n2\n3\n4\n5\n6\n', [['-q'], ['--quiet'], ['--silent']]],
    ['==> <A> <==\n1\n2\n3\n', [['-v'], ['--verbose']], true],
  ] as [string, string[][], boolean?][])('gives %j for each of the aliases %j', async (expected, forms, oneFile = false) => {
    const dir = await tempDir();
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await writeFile(a, '1\n2\n3\n');
    await writeFile(b, '4\n5\n6\n');
    const outputs = await Promise.all(forms.map((form) => runCli(['--no-follow', ...form, a, ...(oneFile ? [] : [b])])));
    const want = { status: 0, stdout: Buffer.from(expected.replace('<A>', a).replace('<B>', b)), stderr: '' };
    for (const output of outputs) expect(output).toEqual(want);
  });

  it('prints help organised in groups, with examples, and the version', async () => {
    const help = await runCli(['--help']);
    expect(help.status).toBe(0);
    const text = help.stdout.toString();
    for (const heading of ['Usage:', 'Input:', 'Following:', 'Processing:', 'Output:', 'Examples:', 'Exit status:']) expect(text).toContain(heading);
    const version = await runCli(['--version']);
    expect(version.stdout.toString()).toMatch(/^tail-async \d+\.\d+\.\d+\n$/);
  });

  it('reports a missing file in GNU words, prints the others and exits 1', async () => {
    const file = await logFile('ok\n');
    const missing = path.join(path.dirname(file), 'nope.log');
    const result = await runCli(['--no-follow', missing, file]);
    expect(result.status).toBe(1);
    expect(result.stdout.toString()).toBe(`==> ${file} <==\nok\n`);
    expect(result.stderr).toBe(`tail-async: cannot open '${missing}' for reading: No such file or directory\n`);
  });

  it('reports a directory in one line and exits 1', async () => {
    const dir = await tempDir();
    const result = await runCli(['--no-follow', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`tail-async: error reading '${dir}': Is a directory\n`);
  });

  it('prints a header each time the followed output switches file', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    await writeFile(a, 'a1\n');
    await writeFile(b, 'b1\n');
    const result = await runCli([a, b], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text.endsWith('b1\n'), 'both files');
        await appendFile(a, 'a2\n');
        await waitFor(() => stdout.text.endsWith('a2\n'), 'a2');
        await appendFile(a, 'a3\n');
        await waitFor(() => stdout.text.endsWith('a3\n'), 'a3');
        await appendFile(b, 'b2\n');
        await waitFor(() => stdout.text.endsWith('b2\n'), 'b2');
        signals.emit('SIGTERM');
      },
    });
    expect(result.stdout.toString()).toBe(`==> ${a} <==\na1\n\n==> ${b} <==\nb1\n\n==> ${a} <==\na2\na3\n\n==> ${b} <==\nb2\n`);
  });

  it('prefixes lines with --prefix and writes JSON lines with --output jsonl', async () => {
    const file = await logFile('héllo\nworld\n');
    const prefixed = await runCli(['--no-follow', '--prefix', file]);
    expect(prefixed.stdout.toString()).toBe(`${file}: héllo\n${file}: world\n`);
    const json = await runCli(['--no-follow', '--output', 'jsonl', file]);
    expect(json.stdout.toString().trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { file, text: 'héllo', offset: 0, end: 7, line: 1 },
      { file, text: 'world', offset: 7, end: 13, line: 2 },
    ]);
  });

  it('prints notices on stderr in GNU words while following', async () => {
    const file = await logFile('one\ntwo\n');
    const result = await runCli([file], {
      during: async ({ stdout, stderr, signals }) => {
        await waitFor(() => stdout.text === 'one\ntwo\n', 'the lines');
        await truncate(file, 0);
        await waitFor(() => stderr.text.includes('file truncated'), 'the truncation notice');
        signals.emit('SIGTERM');
      },
    });
    expect(result.stderr).toBe(`tail-async: ${file}: file truncated\n`);
  });

  it('waits for a file that does not exist yet, saying so in GNU words', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'sub', 'later.log');
    const result = await runCli([file], {
      during: async ({ stdout, stderr, signals }) => {
        await waitFor(() => stderr.text !== '', 'the notice');
        await mkdir(path.dirname(file));
        await writeFile(file, 'arrived\n');
        await waitFor(() => stdout.text === 'arrived\n', 'the new file');
        signals.emit('SIGTERM');
      },
    });
    expect(result.stderr).toBe(`tail-async: cannot open '${file}' for reading: No such file or directory\ntail-async: '${file}' has appeared;  following new file\n`);
  });

  it('ends quietly with status 141 when stdout is a closed pipe (EPIPE)', async () => {
    const file = await logFile('a\nb\n');
    const stdout = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new PassThrough();
    let errText = '';
    stderr.on('data', (d) => (errText += d));
    const status = await main([file], { stdin: new PassThrough(), stdout, stderr, signals: new EventEmitter() });
    expect(status).toBe(141);
    expect(errText).toBe('');
  });

  it('exits 0 soon after the --pid process dies, having printed what was written', async () => {
    const file = await logFile('');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const result = await runCli(['--pid', String(child.pid), '-s', '0.05', file], {
        during: async ({ stdout }) => {
          await appendFile(file, 'before death\n');
          await waitFor(() => stdout.text === 'before death\n', 'the line');
          await appendFile(file, 'last words\n');
          child.kill('SIGKILL');
        },
      });
      expect(result).toEqual({ status: 0, stdout: Buffer.from('before death\nlast words\n'), stderr: '' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('follows any bytes exactly (CRLF, NUL, invalid UTF-8, partial writes), with headers when two files take turns', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    const random = prng(5);
    const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => [10, 13, 0, 0xff, 0xc3, 97, 98][random() % 7]!));
    const body = Buffer.concat([junk(300_000), Buffer.from('\n')]);
    await writeFile(a, body);
    await writeFile(b, 'b1\n');
    const later = Buffer.concat([junk(200_000), Buffer.from('\n')]);
    const head = (file: string, first = false) => Buffer.from(`${first ? '' : '\n'}==> ${file} <==\n`);
    const before = Buffer.concat([head(a, true), body, head(b), Buffer.from('b1\n')]);
    const result = await runCli(['-n', '+1', a, b], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.bytes.length === before.length, 'both files');
        // Appended in pieces cut anywhere, even inside a line.
        for (let at = 0; at < later.length; at += 65_537) await appendFile(a, later.subarray(at, at + 65_537));
        await waitFor(() => stdout.bytes.length === before.length + head(a).length + later.length, 'the appended bytes');
        signals.emit('SIGTERM');
      },
    });
    expect(result.stdout.equals(Buffer.concat([before, head(a), later]))).toBe(true);
  });

  it('follows by descriptor with -f: a renamed file keeps being read', async () => {
    const file = await logFile('x\n');
    const moved = `${file}.moved`;
    const { rename } = await import('node:fs/promises');
    const result = await runCli(['-f', file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text === 'x\n', 'x');
        await rename(file, moved);
        await writeFile(file, 'other\n');
        await appendFile(moved, 'y\n');
        await waitFor(() => stdout.text === 'x\ny\n', 'y from the renamed file');
        signals.emit('SIGTERM');
      },
    });
    expect(result.stdout.toString()).toBe('x\ny\n');
  });
});
