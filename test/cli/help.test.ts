import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../src/cli/flags.js';
import { EXAMPLES } from '../../src/cli/help.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';

async function help(env: Record<string, string>, stdout: { stdoutIsTTY?: boolean } = {}): Promise<string> {
  const result = await runCli(['--help'], { env, ...stdout });
  expect(result).toMatchObject({ status: 0, stderr: '' });
  return result.stdout.toString();
}

/** The lines of the help that may be wider: an example's command, printed whole to be copied. */
const isCommand = (line: string) => /^ {4}(tail-async|some-cmd) /.test(line);

describe('--help', () => {
  it.each([80, 60, 132])('fits COLUMNS=%i: no line wider, no word cut', async (columns) => {
    const text = await help({ COLUMNS: String(columns) });
    const wide = text.split('\n').filter((line) => line.length > columns && !isCommand(line) && /\s\S/.test(line.trimStart()));
    expect(wide).toEqual([]);
    // Every word of every description survives the wrapping (nothing is cut mid-word).
    expect(text).toContain('--state-file');
    expect(text.replaceAll(/\s+/g, ' ')).toContain('the longest a timer waits');
  });

  it('is 80 columns wide when COLUMNS is unset or not a number, and not on a terminal', async () => {
    const plain = await help({});
    expect(await help({ COLUMNS: 'wide' })).toBe(plain);
    expect(await help({ COLUMNS: '80' })).toBe(plain);
    expect(Math.max(...plain.split('\n').filter((l) => !isCommand(l)).map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(Math.max(...plain.split('\n').filter((l) => !isCommand(l)).map((l) => l.length))).toBeGreaterThan(70);
  });

  it('names option values as GNU does, and uses the same words for the options both have', async () => {
    const text = await help({});
    const gnu = spawnSync('tail', ['--help'], { encoding: 'utf8', env: { LC_ALL: 'C', PATH: process.env.PATH } }).stdout;
    for (const synopsis of ['  -c, --bytes=[+]NUM', '  -n, --lines=[+]NUM', '      --pid=PID', '  -q, --quiet, --silent', '  -v, --verbose', '  -z, --zero-terminated', '  -F ']) {
      expect(gnu).toContain(`\n${synopsis}`);
      expect(text).toContain(`\n${synopsis}`);
    }
    expect(text).toContain('\n      --follow[={name|descriptor}]\n');
    expect(text).toContain('\n  -s, --sleep-interval=SEC');
    expect(text).not.toMatch(/\[(string|boolean)\]|\[choices:|\[default:/);
  });

  it('shows a placeholder for the value of every option that takes one', async () => {
    const text = await help({});
    for (const flag of FLAGS.filter((f) => !f.hidden && f.type === 'string')) {
      expect(flag.placeholder, flag.name).toMatch(/^(\[\+\])?[A-Z]+$|^\{[a-z|]+\}$/);
      expect(text, flag.name).toMatch(new RegExp(`--${flag.name}\\[?=${flag.placeholder!.replace(/[[\]{}+|]/g, '\\$&')}`));
    }
  });

  it('prints each example command whole on a line of its own, however narrow', async () => {
    const text = await help({ COLUMNS: '40' });
    const examples = text.slice(text.indexOf('Examples:'), text.indexOf('\n\n', text.indexOf('Examples:'))).split('\n').slice(1);
    const commands = examples.filter(isCommand);
    expect(commands.map((l) => l.trim())).toEqual(EXAMPLES.map(([, command]) => command));
    expect(examples.filter((l) => !isCommand(l)).every((l) => /^  \S/.test(l))).toBe(true);
    expect(commands).toContain("    tail-async --json --where 'status>=500' --where 'path~^/api/' app.log");
  });

  it('lists under --output exactly the fields a JSON line has', async () => {
    const all = await help({ COLUMNS: '1000' });
    const text = all.slice(all.indexOf('--output='), all.indexOf('\n\n', all.indexOf('--output=')));
    const listed = [...text.slice(text.indexOf('{"')).matchAll(/"(\w+)"/g)].map((m) => m[1]);
    const file = path.join(await tempDir(), 'a.log');
    await writeFile(file, 'x\n');
    const plain = await runCli(['--no-follow', '--output', 'jsonl', file]);
    const stamped = await runCli(['--no-follow', '--output', 'jsonl', '--timestamp', file]);
    expect(listed).toEqual([...Object.keys(JSON.parse(plain.stdout.toString()) as object), 'time']);
    expect(Object.keys(JSON.parse(stamped.stdout.toString()) as object)).toEqual(listed);
  });
});
