import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { leadingTime } from '../../src/time/line-time.js';

async function logFile(lines: string[], name = 'app.log'): Promise<string> {
  const dir = await tempDir();
  const file = path.join(dir, name);
  await writeFile(file, lines.map((l) => l + '\n').join(''));
  return file;
}

/** Each command line of `table` (with `--no-follow` and a file) is a usage error whose message comes first. */
function refuses(table: Array<[string[], string]>): void {
  it.each(table)('%j is a usage error', async (args, message) => {
    const result = await runCli(['--no-follow', ...args, 'x.log']);
    expect(result.status).toBe(2);
    expect(result.stderr.startsWith(message)).toBe(true);
  });
}

describe('--since and --until', () => {
  it.each([
    ['ISO 8601', ['2024-05-01T10:00:00Z a', '2024-05-01T11:00:00+00:00 b', 'Traceback of b', '2024-05-01T12:00:00.5Z c', '2024-05-01T13:00:00Z d']],
    ['common log', ['1.2.3.4 - - [01/May/2024:10:00:00 +0000] "GET /a" 200 1', '1.2.3.4 - - [01/May/2024:11:00:00 +0000] "GET /b" 200 1', 'Traceback of b', '1.2.3.4 - bob [01/May/2024:12:00:00 +0000] "GET /c" 500 1', '1.2.3.4 - - [01/May/2024:13:00:00 +0000] "GET /d" 200 1']],
    ['JSON epoch ms', ['{"time":1714557600000,"m":"a"}', '{"time":1714561200000,"m":"b"}', 'Traceback of b', '{"time":1714564800500,"m":"c"}', '{"time":1714568400000,"m":"d"}']],
  ])('select the window of a %s file', async (_name, lines) => {
    const file = await logFile(lines);
    const result = await runCli(['--no-follow', '--since', '2024-05-01T10:30:00Z', '--until', '2024-05-01T12:00:01Z', file]);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(lines.slice(1, 4).join('\n') + '\n');
    expect(result.status).toBe(0);
  });

  it('reads syslog stamps, whose year is inferred', async () => {
    const year = new Date().getFullYear();
    const file = await logFile(['Jan  1 00:00:00 h a: first', 'Jan  1 00:00:05 h a: second']);
    const since = new Date(year, 0, 1, 0, 0, 1).getTime();
    const result = await runCli(['--no-follow', '--since', `@${since / 1000}`, file]);
    // (On new year's eve the stamps are taken for the coming year's, and both lines come out.)
    const eve = leadingTime('Jan  1 00:00:00 h', Date.now())! > since;
    expect(result.stdout.toString()).toBe(`${eve ? 'Jan  1 00:00:00 h a: first\n' : ''}Jan  1 00:00:05 h a: second\n`);
  });

  it('reads the time of --parse records through --time-field', async () => {
    const file = await logFile(['at=2024-05-01T10:00:00Z msg=a', 'at=2024-05-01T11:00:00Z msg=b']);
    const result = await runCli(['--no-follow', '--since', '2024-05-01T10:30:00Z', '--parse', 'logfmt', '--time-field', 'at', '--format', '{msg}', file]);
    expect(result.stdout.toString()).toBe('b\n');
  });

  refuses([
    [['--since', 'soon'], "tail-async: invalid time for --since: 'soon'"],
    [['--until', '25:61'], "tail-async: invalid time for --until: '25:61'"],
    [['--since', '1h', '-n', '5'], 'tail-async: --since and -n/-c both choose where reading starts: give one\n'],
    [['--since', '2024-05-02', '--until', '2024-05-01'], "tail-async: --until '2024-05-01' is before --since '2024-05-02'\n"],
  ]);
});

describe('--parse and --format', () => {
  const lines = ['time=1 level=info msg="all good"', 'time=2 level=error msg="disk \\"sda\\" full" code=28', 'garbage'];

  it('filters logfmt records with --where and prints them through --format', async () => {
    const file = await logFile(lines);
    const result = await runCli(['--no-follow', '-n', '+1', '--parse', 'logfmt', '--where', 'level=error', '--format', '{time} [{level}] {msg} {nope}|{.}', file]);
    expect(result.stdout.toString()).toBe(`2 [error] disk "sda" full |${lines[1]}\n`);
    expect(result.status).toBe(0);
  });

  it('picks --fields of regex records, and reports lines it does not match as --json reports non-JSON', async () => {
    const file = await logFile(lines);
    const result = await runCli(['--no-follow', '-n', '+1', '--parse', 'regex:^time=(?<t>\\d+) level=(?<level>\\w+)', '--fields', 'level,t', file]);
    expect(result.stdout.toString()).toBe('{"level":"info","t":"1"}\n{"level":"error","t":"2"}\n');
    expect(result.stderr).toContain(`processor 'regex' failed on ${file}:3: does not match`);
  });

  it('counts the last N lines through a --parse filter, as with --json', async () => {
    const file = await logFile(['level=error n=1', 'level=info n=2', 'level=error n=3', 'level=info n=4']);
    const result = await runCli(['--no-follow', '-n', '1', '--parse', 'logfmt', '--where', 'level=error', file]);
    expect(result.stdout.toString()).toBe('level=error n=3\n');
  });

  it('takes --format alone as a template over JSON records', async () => {
    const file = await logFile(['{"a":{"b":1},"c":"x"}']);
    const result = await runCli(['--no-follow', '--format', '{c}={a.b}', file]);
    expect(result.stdout.toString()).toBe('x=1\n');
  });

  refuses([
    [['--parse', 'yaml'], "tail-async: invalid argument 'yaml' for '--parse'"],
    [['--parse', 'regex:^\\d+'], "tail-async: --parse: '^\\d+' has no named group"],
    [['--parse', 'regex:(?<a>'], "tail-async: --parse: invalid regular expression '(?<a>'"],
    [['--json', '--fields', 'a', '--format', '{a}'], 'tail-async: --fields and --format both choose what is printed of a record: give one'],
    [['--format', 'x {a'], "tail-async: format 'x {a': '{' at 3 is not closed"],
  ]);
});

describe('--rate-limit and --sample', () => {
  it('drop lines and count them in the exit summary', async () => {
    const file = await logFile(Array.from({ length: 100 }, (_, i) => `line ${i}`));
    const sampled = await runCli(['--no-follow', '-n', '+1', '--sample', '1/10', file]);
    expect(sampled.stdout.toString()).toBe(Array.from({ length: 10 }, (_, i) => `line ${i * 10}\n`).join(''));
    expect(sampled.stderr).toBe('tail-async: 90 lines dropped by --sample\n');
    // 100 lines read in far less than a minute: the first 7 pass.
    const limited = await runCli(['--no-follow', '-n', '+1', '--rate-limit', '7/m', file]);
    expect(limited.stdout.toString()).toBe(Array.from({ length: 7 }, (_, i) => `line ${i}\n`).join(''));
    expect(limited.stderr).toBe(`tail-async: 93 lines dropped from ${file}\ntail-async: 93 lines dropped by --rate-limit\n`);
    expect(limited.status).toBe(0);
  });

  it('names standard input in GNU words', async () => {
    const result = await runCli(['--rate-limit', '2/m'], { stdin: 'a\nb\nc\n' });
    expect(result.stdout.toString()).toBe('a\nb\n');
    expect(result.stderr).toBe('tail-async: 1 line dropped from standard input\ntail-async: 1 line dropped by --rate-limit\n');
  });

  refuses([
    [['--rate-limit', '0'], "tail-async: --rate-limit: invalid rate '0'"],
    [['--sample', '2/3'], "tail-async: --sample: invalid sample '2/3'"],
  ]);
});

describe('--until while following', () => {
  it('ends the run, status 0, once the file shows a line past TIME', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const file = await logFile([`${iso(now - 2000)} before`, `${iso(now - 1000)} inside`]);
    const { appendFile } = await import('node:fs/promises');
    const result = await runCli(['--since', iso(now - 1500), '--until', iso(now + 3_600_000), file], {
      during: async ({ stdout }) => {
        const { waitFor } = await import('../helpers/wait.js');
        await waitFor(() => stdout.text.includes('inside'), 'the line inside');
        await appendFile(file, `${iso(now + 7_200_000)} past\n  its trace\n`);
      },
    });
    expect(result.stdout.toString()).toBe(`${iso(now - 1000)} inside\n`);
    expect(result.status).toBe(0);
  });
});
