import { execFileSync } from 'node:child_process';
import { appendFile, lstat, mkdir, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, type Notice, type TailOptions } from '../../src/index.js';
import { Ledger } from '../../src/checkpoint/ledger.js';
import { tempDir } from '../helpers/fs.js';
import { openOrigin } from '../helpers/origin.js';
import { spawnCli } from '../helpers/spawn.js';

async function setup(content = 'one\ntwo\nthree\n') {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, content);
  return { dir, file, state: path.join(dir, 'state.json') };
}

/** Reads with follow off, keeping the lines and the notices. */
async function run(file: string, options: TailOptions): Promise<{ lines: string[]; notices: string[] }> {
  const lines: string[] = [];
  const notices: Notice[] = [];
  for await (const line of tail(file, { follow: false, onNotice: (n) => notices.push(n), ...options })) lines.push(line.text);
  return { lines, notices: notices.map((n) => n.message) };
}

/** Saves `file` read up to 'two', then appends 'three': the entry saved (returned) resumes at 'three'. */
async function savedAtThree(file: string, state: string): Promise<Record<string, unknown>> {
  await writeFile(file, 'one\ntwo\n');
  await run(file, { checkpoint: state, start: { fromLine: 1 } });
  await appendFile(file, 'three\n');
  return JSON.parse(await readFile(state, 'utf8')).entries[0];
}

/** A state file with a good entry for `file` (resuming at 'three') and a second one with `change` applied. */
async function stateWith(file: string, state: string, change: Record<string, unknown>): Promise<void> {
  const good = await savedAtThree(file, state);
  await writeFile(state, JSON.stringify({ version: 1, entries: [good, { ...good, path: file + '.other', ...change }] }));
}

describe('a hostile or corrupt state file', () => {
  it.each([
    ['headLength', 1025],
    ['tailLength', 65],
    ['tailLength', 9], // more than the offset (8)
    ['offset', -1],
    ['offset', 2 ** 53],
    ['line', 1e300],
    ['headHash', 42],
    ['tailHash', 'f'.repeat(65)],
    ['path', ''],
    ['path', 'x'.repeat(5000)],
    ['path', 'a\0b'],
    ['dev', '1'],
  ])('drops an entry whose %s is %s, says so once, and keeps the others', async (field, value) => {
    const { file, state } = await setup();
    await stateWith(file, state, { [field]: value });
    const { lines, notices } = await run(file, { checkpoint: state });
    expect(lines).toEqual(['three']);
    expect(notices).toEqual([`state file '${state}' is corrupt: 1 malformed entry dropped (entry 1: ${field})`]);
    expect(JSON.parse(await readFile(state, 'utf8')).entries).toHaveLength(1);
  });

  it('never allocates or reads what a headLength of 3e9 asks for (it used to abort Node)', async () => {
    const { file, state } = await setup();
    await run(file, { checkpoint: state, start: { fromLine: 1 } });
    const saved = JSON.parse(await readFile(state, 'utf8'));
    await writeFile(state, JSON.stringify({ version: 1, entries: [{ ...saved.entries[0], headLength: 3e9 }] }));
    await truncate(file, 3.1e9); // sparse: as long as the entry claims its head is
    const cli = spawnCli(['--no-follow', '-n', '0', '--state-file', state, file]);
    await cli.exited;
    expect(cli.out).toMatchObject({
      status: 0,
      stdout: '',
      stderr: `tail-async: state file '${state}' is corrupt: 1 malformed entry dropped (entry 0: headLength)\n`,
    });
  });

  it.each([
    ['not JSON at all', 'SECRET-TOKEN-4711 is not JSON'],
    ['broken JSON', '{"version":1,"entries":[{"path":"SECRET-TOKEN-4711"'],
  ])('never echoes the content of a state file that is %s (it may be a link to a secret)', async (_what, secret) => {
    const { dir, file, state } = await setup();
    await writeFile(path.join(dir, 'secret'), secret);
    await symlink(path.join(dir, 'secret'), state);
    const { lines, notices } = await run(file, { checkpoint: state, start: { fromLine: 1 } });
    expect(lines).toEqual(['one', 'two', 'three']);
    expect(notices).toEqual([expect.stringMatching(new RegExp(`^state file '${state}' is corrupt: not JSON( \\(at position \\d+\\))?$`))]);
    expect(notices.join('')).not.toContain('SECRET');
  });

  it('refuses to read a state file larger than 64 MiB, and uses the previous one', async () => {
    const { file, state } = await setup();
    await savedAtThree(file, state);
    await writeFile(`${state}.prev`, await readFile(state));
    await truncate(state, 65 * 1024 * 1024);
    const { lines, notices } = await run(file, { checkpoint: state });
    expect(lines).toEqual(['three']);
    expect(notices).toEqual([`state file '${state}' is corrupt: larger than 64 MiB`]);
  });

  it('does not wait on a state file that is a FIFO', { timeout: 5_000 }, async () => {
    const { file, state } = await setup();
    execFileSync('mkfifo', [state]);
    const { lines, notices } = await run(file, { checkpoint: `${state}`, start: { fromLine: 1 } });
    expect(lines).toEqual(['one', 'two', 'three']);
    expect(notices).toEqual([`state file '${state}' is corrupt: not a regular file`]);
  });

  it('keeps the most recently seen 100 000 entries of a state file that has more', async () => {
    const { file, state } = await setup();
    const own = (await savedAtThree(file, state)) as { seen: number };
    const others = Array.from({ length: 100_000 }, (_, i) => ({ ...own, path: `/gone/${i}`, ino: i + 1, seen: own.seen - 1000 - i }));
    await writeFile(state, JSON.stringify({ version: 1, entries: [...others, own] }));
    const { lines, notices } = await run(file, { checkpoint: state });
    expect(lines).toEqual(['three']);
    expect(notices).toEqual([`state file '${state}' is corrupt: more than 100000 entries; the 1 seen longest ago dropped`]);
  });
});

describe('the temp file of a save', () => {
  it('never follows a link planted at a predictable name, and the state file is private (0600)', async () => {
    const { dir, file, state } = await setup();
    const victim = path.join(dir, 'victim');
    await writeFile(victim, 'precious\n', { mode: 0o600 });
    for (let pid = process.pid - 2; pid <= process.pid + 2; pid++) await symlink(victim, `${state}.tmp-${pid}`);
    await symlink(victim, `${state}.prev`);
    expect((await run(file, { checkpoint: state, start: { fromLine: 1 } })).lines).toEqual(['one', 'two', 'three']);
    await run(file, { checkpoint: state });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    const st = await lstat(state);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('is removed when the save fails', async () => {
    const { dir, file, state } = await setup();
    const ledger = await Ledger.load(state, () => {});
    await using opened = await openOrigin(file);
    // The rename over the state file fails: a directory with something in it took its place.
    await mkdir(path.join(state, 'x'), { recursive: true });
    ledger.record(opened.origin, { offset: 4, line: 2 });
    await ledger.save();
    expect((await readdir(dir)).sort()).toEqual(['app.log', 'state.json']);
  });
});
