import { spawnSync } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { spawnCli } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';

async function setup() {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, 'one\ntwo\n');
  const state = path.join(dir, 'st.json');
  return { dir, file, state, lock: `${state}.lock` };
}

const exists = (file: string) => access(file).then(() => true, () => false);
const holder = async (lock: string) => Number((await readFile(lock, 'utf8')).split('\n')[0]);

/** The pid of a process that has exited. */
function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(done.stdout);
}

describe('one state file, one process', () => {
  it('refuses a second command with one line naming the holder (status 2), and the lock goes with the holder', async () => {
    const { file, state, lock } = await setup();
    const first = spawnCli(['-n', '+1', '--state-file', state, file]);
    await waitFor(() => first.out.stdout === 'one\ntwo\n', 'the first run to follow the file');
    expect(await holder(lock)).toBe(first.child.pid);
    const second = await runCli(['--no-follow', '-n', '+1', '--state-file', state, file]);
    expect(second).toEqual({ status: 2, stdout: Buffer.alloc(0), stderr: `tail-async: state file '${state}' is in use by process ${first.child.pid}\n` });
    first.child.kill('SIGTERM');
    await first.exited;
    expect(first.out.status).toBe(143);
    expect(await exists(lock)).toBe(false);
    expect((await runCli(['--no-follow', '--state-file', state, file])).status).toBe(0);
  });

  it('takes over the lock of a process that is gone, silently', async () => {
    const { file, state, lock } = await setup();
    await writeFile(lock, `${deadPid()}\n`);
    expect(await runCli(['--no-follow', '-n', '+1', '--state-file', state, file])).toEqual({ status: 0, stdout: Buffer.from('one\ntwo\n'), stderr: '' });
    expect(await exists(lock)).toBe(false);
  });

  it('takes over a lock left by an earlier process with this very pid (a restarted container)', async () => {
    const { file, state, lock } = await setup();
    await writeFile(lock, `${process.pid}\nstart 1\n`);
    expect((await runCli(['--no-follow', '-n', '+1', '--state-file', state, file])).status).toBe(0);
    expect(await exists(lock)).toBe(false);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('holds the lock while running and releases it on %s', async (signal) => {
    const { file, state, lock } = await setup();
    let held = 0;
    await runCli(['-n', '+1', '--state-file', state, file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text === 'one\ntwo\n', 'the lines');
        held = await holder(lock);
        signals.emit(signal);
      },
    });
    expect(held).toBe(process.pid);
    expect(await exists(lock)).toBe(false);
  });

  it('refuses a second tail() on the same state file in one process until the first is closed', async () => {
    const { file, state, lock } = await setup();
    const first = tail(file, { checkpoint: state, start: { fromLine: 1 } });
    expect((await first.next()).value?.text).toBe('one');
    const second = tail(file, { checkpoint: state });
    await expect(second.next()).rejects.toMatchObject({ code: 'ERR_CHECKPOINT_LOCKED', message: `state file '${state}' is in use by process ${process.pid}` });
    await first.close();
    expect(await exists(lock)).toBe(false);
    const third = tail(file, { checkpoint: state, follow: false });
    expect((await third.next()).value?.text).toBe('one');
    await third.close();
  });
});
