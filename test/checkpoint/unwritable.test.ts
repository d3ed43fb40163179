import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, TailError } from '../../src/index.js';
import { Ledger } from '../../src/checkpoint/ledger.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { openOrigin } from '../helpers/origin.js';
import { waitFor } from '../helpers/wait.js';

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

describe('a save that fails later', () => {
  it('is reported once with the state file name, retried at every save (temp files left over removed), and its recovery reported once', async () => {
    const { file, state } = await setup();
    const reports: TailError[] = [];
    const ledger = await Ledger.load(state, (error) => reports.push(error));
    await using opened = await openOrigin(file);
    const { origin } = opened;
    ledger.record(origin, { offset: 4, line: 2 });
    await ledger.save();
    await rm(path.dirname(state), { recursive: true });
    ledger.record(origin, { offset: 8, line: 3 });
    await ledger.save();
    await ledger.save(); // nothing new delivered: the failed save is retried all the same
    expect(reports.map((r) => [r.code, r.message])).toEqual([
      ['ERR_CHECKPOINT_WRITE', `cannot write state file '${state}': No such file or directory`],
    ]);
    await mkdir(path.dirname(state));
    // As a save leaves it when its directory turns read-only between creating and removing its temp file.
    await writeFile(`${state}.tmp-0123456789abcdef`, '{');
    await ledger.save();
    expect(reports.map((r) => r.code)).toEqual(['ERR_CHECKPOINT_WRITE', 'ERR_CHECKPOINT_RECOVERED']);
    expect(reports[1]!.message).toBe(`state file '${state}' can be written again`);
    expect(JSON.parse(await readFile(state, 'utf8')).entries[0]).toMatchObject({ offset: 8, line: 3 });
    expect(await readdir(path.dirname(state))).toEqual(['st.json']);
  });

  it('makes the command say so and exit 1 when the last save still failed', async () => {
    const { file, state } = await setup();
    const result = await runCli(['-n', '+1', '--state-file', state, file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text === 'one\ntwo\n', 'the lines');
        // A save under way may put its temporary file there meanwhile (ENOTEMPTY): rm tries again.
        await rm(path.dirname(state), { recursive: true, maxRetries: 5 });
        signals.emit('SIGTERM');
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `tail-async: cannot write state file '${state}': No such file or directory\n` +
        `tail-async: state file '${state}' could not be saved before exit: No such file or directory\n`,
    );
  });

  it('lets the command end as usual once a save worked again', async () => {
    const { file, state } = await setup();
    const result = await runCli(['-n', '+1', '--state-file', state, file], {
      during: async ({ stdout, stderr, signals }) => {
        await waitFor(() => stdout.text === 'one\ntwo\n', 'the lines');
        // A save under way may put its temporary file there meanwhile (ENOTEMPTY): rm tries again.
        await rm(path.dirname(state), { recursive: true, maxRetries: 5 });
        await appendFile(file, 'three\n');
        await waitFor(() => stderr.text.includes('cannot write'), 'the failed save', 5_000);
        await mkdir(path.dirname(state));
        await appendFile(file, 'four\n');
        await waitFor(() => stderr.text.includes('written again'), 'the next save', 5_000);
        signals.emit('SIGTERM');
      },
    });
    expect(result.status).toBe(143);
    expect(result.stderr).toBe(
      `tail-async: cannot write state file '${state}': No such file or directory\n` + `tail-async: state file '${state}' can be written again\n`,
    );
    expect(JSON.parse(await readFile(state, 'utf8')).entries[0]).toMatchObject({ line: 5 });
  });
});
