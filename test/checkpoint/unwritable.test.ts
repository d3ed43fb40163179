import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, TailError } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, 'one\ntwo\n');
  await mkdir(path.join(dir, 'state'));
  return { dir, file, state: path.join(dir, 'state', 'st.json') };
}

describe('a state file that cannot be written is refused at the start', () => {
  it('by the command: one line naming it, status 2, nothing read', async () => {
    const { dir, file } = await setup();
    const state = path.join(dir, 'missing', 'st.json');
    const result = await runCli(['--no-follow', '-n', '+1', '--state-file', state, file]);
    expect(result).toEqual({ status: 2, stdout: Buffer.alloc(0), stderr: `tail-async: cannot write state file '${state}': No such file or directory\n` });
  });

  it('by the library: the first next() rejects with ERR_CHECKPOINT_UNWRITABLE, before any line', async () => {
    const { dir, file } = await setup();
    const lines: string[] = [];
    const reading = (async () => {
      for await (const line of tail(file, { checkpoint: path.join(dir, 'missing', 'st.json'), follow: false })) lines.push(line.text);
    })();
    await expect(reading).rejects.toBeInstanceOf(TailError);
    await expect(reading).rejects.toMatchObject({ code: 'ERR_CHECKPOINT_UNWRITABLE' });
    expect(lines).toEqual([]);
  });
});
