import { link, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';

async function logs() {
  const dir = await tempDir();
  await mkdir(path.join(dir, 'logs'));
  const file = path.join(dir, 'logs', 'app.log');
  await writeFile(file, 'one\ntwo\n');
  return { dir, file };
}

describe('the state file is never one of its own inputs', () => {
  it('refuses --state-file app.log app.log with one line (status 2), leaving the log untouched', async () => {
    const { file } = await logs();
    const result = await runCli(['--no-follow', '-n', '+1', '--state-file', file, file]);
    expect(result).toEqual({ status: 2, stdout: Buffer.alloc(0), stderr: `tail-async: state file '${file}' is also an input: '${file}'\n` });
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('refuses it under another spelling, or as a link to it', async () => {
    const { dir, file } = await logs();
    await symlink(file, path.join(dir, 'sym.log'));
    await link(file, path.join(dir, 'hard.log'));
    for (const input of [path.join(dir, 'logs', '..', 'logs', 'app.log'), path.join(dir, 'sym.log'), path.join(dir, 'hard.log')]) {
      const result = await runCli(['--no-follow', '--state-file', file, input]);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`tail-async: state file '${file}' is also an input: '${input}'\n`);
    }
  });

  it.each([
    ['logs/*', 'tail.state'],
    ['logs/*.prev', 'tail.state'],
    ['logs/tail.state.*', 'tail.state'],
    ['logs/**/*.state*', 'tail.state'],
    ['logs/*.lock', 'tail.state'],
  ])("refuses a pattern that would match the state file or its companions: '%s'", async (pattern, name) => {
    const { dir } = await logs();
    const state = path.join(dir, 'logs', name);
    const input = path.join(dir, pattern);
    const result = await runCli(['--no-follow', '--state-file', state, input]);
    expect(result).toEqual({ status: 2, stdout: Buffer.alloc(0), stderr: `tail-async: state file '${state}' would be read as input '${input}'\n` });
  });

  it("refuses it among many inputs before reading any (--no-follow reads them one after the other)", async () => {
    const { dir, file } = await logs();
    const state = path.join(dir, 'logs', 'tail.state');
    const result = await runCli(['--no-follow', '--state-file', state, file, path.join(dir, 'logs', '*')]);
    expect(result.status).toBe(2);
    expect(result.stdout.length).toBe(0);
  });

  it('accepts a pattern the state file cannot match', async () => {
    const { dir } = await logs();
    const state = path.join(dir, 'logs', 'tail.state');
    const result = await runCli(['--no-follow', '-q', '-n', '+1', '--state-file', state, path.join(dir, 'logs', '*.log')]);
    expect(result).toEqual({ status: 0, stdout: Buffer.from('one\ntwo\n'), stderr: '' });
  });

  it('makes tail() throw ERR_CHECKPOINT_INPUT at once', async () => {
    const { dir, file } = await logs();
    expect(() => tail(file, { checkpoint: file })).toThrow(expect.objectContaining({ code: 'ERR_CHECKPOINT_INPUT' }));
    expect(() => tail(path.join(dir, 'logs', '*'), { checkpoint: path.join(dir, 'logs', 'x.state') })).toThrow(expect.objectContaining({ code: 'ERR_CHECKPOINT_INPUT' }));
    // Without globbing the pattern is a name like any other.
    expect(() => tail(path.join(dir, 'logs', '*'), { checkpoint: path.join(dir, 'logs', 'x.state'), glob: false })).not.toThrow();
  });
});
