import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

async function setup(lines: string[], plugins: Record<string, string> = {}) {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, lines.map((l) => l + '\n').join(''));
  for (const [name, code] of Object.entries(plugins)) await writeFile(path.join(dir, name), code);
  return { dir, file };
}

const BOOM_PLUGIN = `export default { name: 'boomer', process(text) { if (text.includes('BOOM')) throw new Error('boom'); return text.toUpperCase(); } };`;
const ASYNC_BOOM_PLUGIN = `export default async function asyncBoomer(text) { await null; if (text.includes('BOOM')) throw new Error('async boom'); return text.toUpperCase(); }`;

describe('processing from the command line', () => {
  it.each([
    ['a throwing plugin', BOOM_PLUGIN, 'boomer'],
    ['a rejecting async plugin', ASYNC_BOOM_PLUGIN, 'asyncBoomer'],
  ])('isolates %s: 990 of 1000 lines upper-cased in order, failures reported without flooding, and it keeps following', async (_n, code, name) => {
    const texts = Array.from({ length: 1000 }, (_, i) => (i % 100 === 99 ? `line ${i} BOOM` : `line ${i}`));
    const { dir, file } = await setup(texts, { 'plugin.mjs': code });
    const result = await runCli(['-n', '+1', '--plugin', './plugin.mjs', file], {
      cwd: dir,
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text.split('\n').length === 991, '990 lines');
        await appendFile(file, 'one more\n');
        await waitFor(() => stdout.text.endsWith('ONE MORE\n'), 'the appended line');
        signals.emit('SIGTERM');
      },
    });
    const expected = texts.filter((t) => !t.includes('BOOM')).map((t) => t.toUpperCase());
    expect(result.stdout.toString()).toBe([...expected, 'ONE MORE', ''].join('\n'));
    const reports = result.stderr.trim().split('\n');
    expect(reports).toHaveLength(6); // five in full, then one count when it ends
    expect(reports[0]).toBe(`tail-async: processor '${name}' failed on ${file}:100: ${code.includes('async') ? 'async boom' : 'boom'}`);
    expect(reports[5]).toMatch(/^tail-async: 5 more processor errors \(latest: .*:1000: /);
    expect(result.status).toBe(143);
  });

  it.each([
    ['log', ['A', 'C'], /failed on .*:2: boom/, 0],
    ['pass', ['A', 'b BOOM', 'C'], /failed on .*:2: boom/, 0],
    ['skip', ['A', 'C'], /^tail-async: 1 line skipped after processor errors$/, 0],
    ['stop', ['A'], /failed on .*:2: boom/, 1],
  ])('--on-error %s', async (policy, expected, stderr, status) => {
    const { dir, file } = await setup(['a', 'b BOOM', 'c'], { 'plugin.mjs': BOOM_PLUGIN });
    const result = await runCli(['--no-follow', '--plugin', './plugin.mjs', '--on-error', policy, file], { cwd: dir });
    expect(result.stdout.toString()).toBe(expected.map((l) => l + '\n').join(''));
    expect(result.stderr.trim()).toMatch(stderr);
    expect(result.status).toBe(status);
  });

  it('cuts off a plugin that never settles after --processor-timeout and goes on', async () => {
    const { dir, file } = await setup(['a', 'hang', 'b'], {
      'hang.mjs': `export default { name: 'hanger', process(text) { return text === 'hang' ? new Promise(() => {}) : text; } };`,
    });
    const result = await runCli(['--no-follow', '--plugin', './hang.mjs', '--processor-timeout', '0.1', file], { cwd: dir });
    expect(result.stdout.toString()).toBe('a\nb\n');
    expect(result.stderr).toBe(`tail-async: processor 'hanger' failed on ${file}:2: did not settle within 100 ms\n`);
    expect(result.status).toBe(0);
  });

  it.each([
    ['a missing file', ['--plugin', './nope.mjs'], /^tail-async: cannot load plugin '\.\/nope\.mjs': no such file: /],
    // (The exact SyntaxError wording is checked with the real binary: under the test runner imports are transformed.)
    ['a syntax error', ['--plugin', './syntax.mjs'], /^tail-async: cannot load plugin '\.\/syntax\.mjs': \S/],
    ['a default export of the wrong shape', ['--plugin', './number.mjs'], /^tail-async: plugin '\.\/number\.mjs' exports a number by default: expected a processor/],
    ['no default export', ['--plugin', './none.mjs'], /^tail-async: plugin '\.\/none\.mjs' has no default export/],
    ['an unknown package', ['--plugin', 'no-such-plugin-pkg'], /^tail-async: cannot load plugin 'no-such-plugin-pkg': no such package/],
    ['a factory that throws', ['--plugin', './factory.mjs'], /^tail-async: plugin '\.\/factory\.mjs': createProcessor\(\) failed: Error: no config/],
  ])('stops before opening any file, with status 2, for a plugin with %s', async (_what, args, message) => {
    const { dir } = await setup([], {
      'syntax.mjs': 'export default {',
      'number.mjs': 'export default 42;',
      'none.mjs': 'export const x = 1;',
      'factory.mjs': "export function createProcessor() { throw new Error('no config'); }",
    });
    // The file does not exist: had it been opened first, there would be a "cannot open" message too.
    const result = await runCli([...args, path.join(dir, 'missing.log')], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('loads a plugin package from node_modules, and a createProcessor() factory', async () => {
    const { dir, file } = await setup(['hello']);
    const pkg = path.join(dir, 'node_modules', 'shout-plugin');
    await mkdir(path.join(pkg, 'lib'), { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'shout-plugin', type: 'module', exports: { '.': { import: './lib/index.js' } } }));
    await writeFile(path.join(pkg, 'lib', 'index.js'), "export async function createProcessor() { return { name: 'shout', process: (t) => t.toUpperCase() + '!' }; }");
    const result = await runCli(['--no-follow', '--plugin', 'shout-plugin', file], { cwd: dir });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout.toString()).toBe('HELLO!\n');
  });

  it('runs processors in command-line order, plugins mixed with built-in flags', async () => {
    const { dir, file } = await setup(['error one', 'info two'], { 'upper.mjs': 'export default (t) => t.toUpperCase();' });
    const grepFirst = await runCli(['--no-follow', '--grep', 'error', '--plugin', './upper.mjs', file], { cwd: dir });
    const pluginFirst = await runCli(['--no-follow', '--plugin', './upper.mjs', '--grep', 'error', file], { cwd: dir });
    expect(grepFirst.stdout.toString()).toBe('ERROR ONE\n');
    expect(pluginFirst.stdout.toString()).toBe('');
  });

  it('prints the last N lines that get through the filters with -n N --grep, as grep | tail -n N would, also while following', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? `ERROR ${i}` : `INFO ${i}`));
    const { dir, file } = await setup(texts, { 'keep-all.mjs': 'export default () => undefined;' });
    const printed = await runCli(['--no-follow', '-n', '3', '--grep', 'ERROR', '--exclude', '38', file]);
    expect(printed.stdout.toString()).toBe('ERROR 17\nERROR 24\nERROR 31\n');
    const followed = await runCli(['-n', '2', '--grep', 'ERROR', file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text === 'ERROR 31\nERROR 38\n', 'the last two errors');
        await appendFile(file, 'INFO later\nERROR later\n');
        await waitFor(() => stdout.text.endsWith('ERROR later\n'), 'the appended error');
        signals.emit('SIGTERM');
      },
    });
    expect(followed.stdout.toString()).toBe('ERROR 31\nERROR 38\nERROR later\n');
    // A plugin at the head of the chain is not called on lines to find the start: -n counts lines read.
    const pluginFirst = await runCli(['--no-follow', '-n', '3', '--plugin', './keep-all.mjs', '--grep', 'ERROR', file], { cwd: dir });
    expect(pluginFirst.stdout.toString()).toBe('ERROR later\n'); // of INFO 39, INFO later, ERROR later
  });

  it('keeps lines matching any --grep, drops --exclude matches, -i for both', async () => {
    const { file } = await setup(['Error a', 'warn b', 'info c', 'ERROR healthcheck']);
    const result = await runCli(['--no-follow', '-i', '--grep', 'error', '--grep', 'WARN', '--exclude', 'HEALTH', file]);
    expect(result.stdout.toString()).toBe('Error a\nwarn b\n');
  });

  it('joins stack traces with --multiline-start and filters whole events', async () => {
    const { file } = await setup(['2026 INFO up', '2026 ERROR down', '  at a()', '  at b()', '2026 INFO fine']);
    const result = await runCli(['--no-follow', '--multiline-start', '^\\d{4} ', '--grep', 'ERROR', file]);
    expect(result.stdout.toString()).toBe('2026 ERROR down\n  at a()\n  at b()\n');
  });

  it('prints selected fields of matching JSON records; non-JSON lines follow the error policy', async () => {
    const { file } = await setup(['{"level":"error","msg":"x","req":{"status":500}}', 'plain text', '{"level":"info","msg":"y"}']);
    const result = await runCli(['--no-follow', '--json', '--where', 'level=error', '--fields', 'msg,req.status', '--on-error', 'skip', file]);
    expect(result.stdout.toString()).toBe('{"msg":"x","req.status":500}\n');
  });

  it('filters JSON records with --where operators: != and null, numbers, regular expressions', async () => {
    const { file } = await setup(['{"level":"info","n":1}', '{"level":"error","n":null}', '{"level":"warn","n":750}', '{"msg":"x"}']);
    const where = async (...conditions: string[]) =>
      (await runCli(['--no-follow', '--json', ...conditions.flatMap((c) => ['--where', c]), file])).stdout.toString().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { level?: string }).level ?? '-');
    expect(await where('level!=info')).toEqual(['error', 'warn', '-']);
    expect(await where('n=null')).toEqual(['error', '-']);
    expect(await where('n>=1', 'n<750')).toEqual(['info']);
    expect(await where('level~^(error|warn)$')).toEqual(['error', 'warn']);
  });

  it('prefixes the read time with --timestamp', async () => {
    const { file } = await setup(['x']);
    const result = await runCli(['--no-follow', '--timestamp', file]);
    expect(result.stdout.toString()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z x\n$/);
  });

  it('gives the read time its own field with --output jsonl --timestamp, the text unchanged', async () => {
    const { file } = await setup(['x', 'y']);
    const before = Date.now();
    const result = await runCli(['--no-follow', '--timestamp', '--output', 'jsonl', file]);
    const records = result.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map(({ time: _, ...rest }) => rest)).toEqual([
      { file, text: 'x', offset: 0, end: 2, line: 1 },
      { file, text: 'y', offset: 2, end: 4, line: 2 },
    ]);
    for (const { time } of records) {
      expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(time as string)).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(time as string)).toBeLessThanOrEqual(Date.now());
    }
    const plain = await runCli(['--no-follow', '--output', 'jsonl', file]);
    expect(plain.stdout.toString()).not.toContain('"time"');
  });

  it('highlights --grep matches with --color always, and not when NO_COLOR is set on a terminal', async () => {
    const { file } = await setup(['an error here']);
    const always = await runCli(['--no-follow', '--grep', 'error', '--color', 'always', file]);
    expect(always.stdout.toString()).toBe('an \x1b[1;31merror\x1b[0m here\n');
    const never = await runCli(['--no-follow', '--grep', 'error', file], { stdoutIsTTY: true, env: { NO_COLOR: '1' } });
    expect(never.stdout.toString()).toBe('an error here\n');
    const tty = await runCli(['--no-follow', '--grep', 'error', file], { stdoutIsTTY: true, env: {} });
    expect(tty.stdout.toString()).toContain('\x1b[1;31m');
  });

  it.each([
    ['--json, --color always', ['--json', '--color', 'always'], {}],
    ['--json on a terminal', ['--json'], { stdoutIsTTY: true, env: {} }],
    ['--json --fields on a terminal', ['--json', '--fields', 'level,msg'], { stdoutIsTTY: true, env: {} }],
    ['--output jsonl, --color always', ['--output', 'jsonl', '--color', 'always'], {}],
    ['--output jsonl on a terminal', ['--output', 'jsonl'], { stdoutIsTTY: true, env: {} }],
  ] as const)('never puts colour inside JSON: %s', async (_, args, io) => {
    const { file } = await setup(['{"level":"error","msg":"an error here"}']);
    const result = await runCli(['--no-follow', '--grep', 'error', ...args, file], io);
    const out = result.stdout.toString();
    expect(out).not.toContain('\x1b');
    const record = JSON.parse(out) as { text?: string; level?: string };
    expect(record.text ?? record.level).toMatch(/error/);
  });

  it.each([
    [['--where', 'nofield'], /^tail-async: --where 'nofield': expected FIELD=VALUE/],
    [['--where', 'n<big'], /^tail-async: --where 'n<big': '<' compares numbers, and 'big' is not one/],
    [['--where', 'level!info'], /^tail-async: --where 'level!info': '!' must be followed by '='/],
    [['--fields', 'a,,b'], /--fields expects/],
    [['--grep', '('], /invalid regular expression for --grep: '\('/],
    [['--on-error', 'ignore'], /invalid argument 'ignore' for '--on-error'/],
  ])('rejects %j as a usage error', async (args, message) => {
    const result = await runCli(['--no-follow', ...args, 'x.log']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
