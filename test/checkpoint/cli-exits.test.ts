import { EventEmitter } from 'node:events';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

async function setup(content: string) {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, content);
  return { file, state: path.join(dir, 'state.json') };
}

async function savedOffset(state: string): Promise<number> {
  return JSON.parse(await readFile(state, 'utf8')).entries[0].offset;
}

describe('the command saves its state file on every way out', () => {
  it('at the end of a --no-follow run', async () => {
    const { file, state } = await setup('a\nb\n');
    expect((await runCli(['--no-follow', '-n', '+1', '--state-file', state, file])).status).toBe(0);
    expect(await savedOffset(state)).toBe(4);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('on %s, with what was written', async (signal, status) => {
    const { file, state } = await setup('a\n');
    const result = await runCli(['-n', '+1', '--state-file', state, file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text === 'a\n', 'the first line');
        await appendFile(file, 'b\n');
        await waitFor(() => stdout.text === 'a\nb\n', 'the appended line');
        signals.emit(signal);
      },
    });
    expect(result.status).toBe(status);
    expect(await savedOffset(state)).toBe(4);
  });

  it('when the reader goes away (EPIPE): what was written counts, what was refused does not', async () => {
    const { file, state } = await setup('a\n');
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, done) {
        // The first write (line a) is taken, every later one fails as a closed pipe does.
        if (++writes === 1) done();
        else done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const running = main(['-n', '+1', '--state-file', state, file], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), signals: new EventEmitter() });
    await waitFor(() => writes === 1, 'the first write');
    await appendFile(file, 'b\n');
    expect(await running).toBe(141);
    expect(await savedOffset(state)).toBe(2);
  });
});
