import { appendFile, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grep, multiline, tail, type Notice, type TailOptions } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';

async function setup(content: string) {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, content);
  return { dir, file, state: path.join(dir, 'state.json') };
}

/** Reads with follow off; `take` lines are pulled, the last of them committed, then the loop is left. */
async function run(files: string | string[], options: TailOptions, take = Infinity): Promise<string[]> {
  const texts: string[] = [];
  const stream = tail(files, { follow: false, ...options });
  for await (const line of stream) {
    texts.push(line.text);
    if (texts.length < take) continue;
    stream.commit(line);
    break;
  }
  return texts;
}

async function entries(state: string): Promise<Array<{ path: string; offset: number; line: number }>> {
  return JSON.parse(await readFile(state, 'utf8')).entries;
}

describe('checkpoints', () => {
  it('resumes after the last line pulled, with true line numbers, and -n only applies without an entry', async () => {
    const { file, state } = await setup('a\nb\nc\nd\n');
    expect(await run(file, { checkpoint: state, start: { fromLine: 1 } }, 2)).toEqual(['a', 'b']);
    await appendFile(file, 'e\n');
    const lines = [];
    for await (const line of tail(file, { follow: false, checkpoint: state, start: { lines: 1 } })) lines.push([line.text, line.lineNumber]);
    expect(lines).toEqual([
      ['c', 3],
      ['d', 4],
      ['e', 5],
    ]);
  });

  it('never advances past a partial last line', async () => {
    const { file, state } = await setup('whole\npart');
    const first = [];
    const stream = tail(file, { checkpoint: state, start: { fromLine: 1 } });
    for await (const line of stream) {
      first.push(line.text);
      stream.commit(line);
      break;
    }
    expect(first).toEqual(['whole']);
    expect((await entries(state))[0]).toMatchObject({ offset: 6 });
    await appendFile(file, 'ial\n');
    expect(await run(file, { checkpoint: state })).toEqual(['partial']);
  });

  it('advances over lines the processors filtered out', async () => {
    const { file, state } = await setup('keep 1\ndrop\ndrop\n');
    expect(await run(file, { checkpoint: state, start: { fromLine: 1 }, processors: [grep(['keep'])] })).toEqual(['keep 1']);
    expect((await entries(state))[0]).toMatchObject({ offset: 17, line: 4 });
  });

  it('keeps a held multi-line event for the next run, and advances to the end of an emitted one', async () => {
    const { file, state } = await setup('E1\n at a\nE2\n at b\n');
    const events: string[] = [];
    const stream = tail(file, { checkpoint: state, start: { fromLine: 1 }, processors: [multiline(/^E/)] });
    for await (const line of stream) {
      events.push(line.text);
      stream.commit(line);
      break; // left after E1's event: E2 is still held, unread for the checkpoint
    }
    expect(events).toEqual(['E1\n at a']);
    expect((await entries(state))[0]).toMatchObject({ offset: 9, line: 3 });
    expect(await run(file, { checkpoint: state, processors: [multiline(/^E/)] })).toEqual(['E2\n at b']);
  });

  it('reads the rest of a file rotated while stopped, then the new file from its start', async () => {
    const { file, state } = await setup('old 1\nold 2\n');
    expect(await run(file, { checkpoint: state, start: { fromLine: 1 } })).toEqual(['old 1', 'old 2']);
    await appendFile(file, 'old 3\n');
    await rename(file, `${file}.1`);
    await writeFile(file, 'new 1\n');
    expect(await run(file, { checkpoint: state, rotateWait: 0 })).toEqual(['old 3', 'new 1']);
  });

  it('reads a file truncated or replaced while stopped from its start, not from -n', async () => {
    const { file, state } = await setup('one\ntwo\nthree\n');
    await run(file, { checkpoint: state, start: { fromLine: 1 } });
    await writeFile(file, 'rewritten 1\nrewritten 2 is longer than before\n');
    expect(await run(file, { checkpoint: state, start: { lines: 1 } })).toEqual(['rewritten 1', 'rewritten 2 is longer than before']);
  });

  it('recognises a file renamed while stopped by its identity', async () => {
    const { dir, file, state } = await setup('a\nb\n');
    await run(path.join(dir, '*.log'), { checkpoint: state, start: { fromLine: 1 } });
    await rename(file, path.join(dir, 'renamed.log'));
    await appendFile(path.join(dir, 'renamed.log'), 'c\n');
    expect(await run(path.join(dir, '*.log'), { checkpoint: state, start: { fromLine: 1 } })).toEqual(['c']);
  });

  it('reports a corrupt state file and uses the previous good one', async () => {
    const { file, state } = await setup('1\n2\n');
    await run(file, { checkpoint: state, start: { fromLine: 1 } }, 1);
    await run(file, { checkpoint: state }, 1); // a second save: the first is kept as state.json.prev
    await writeFile(state, '{"version":1,"entr');
    const notices: Notice[] = [];
    await appendFile(file, '3\n');
    expect(await run(file, { checkpoint: state, onNotice: (n) => notices.push(n) })).toEqual(['2', '3']);
    expect(notices.map((n) => n.message)).toEqual([expect.stringMatching(/^state file '.*state\.json' is corrupt: not JSON/)]);
  });

  it('says once that the state file is missing when it resumes from the previous one', async () => {
    const { file, state } = await setup('1\n2\n');
    await run(file, { checkpoint: state, start: { fromLine: 1 } }, 1);
    await run(file, { checkpoint: state }, 1); // a second save: the first is kept as state.json.prev
    await unlink(state);
    const notices: Notice[] = [];
    await appendFile(file, '3\n');
    expect(await run(file, { checkpoint: state, onNotice: (n) => notices.push(n) })).toEqual(['2', '3']);
    expect(notices.map((n) => [n.type, n.message])).toEqual([['error', `state file '${state}' is missing; resuming from '${state}.prev'`]]);
    // Its saves make the state file again: the next run says nothing.
    const later: Notice[] = [];
    expect(await run(file, { checkpoint: state, onNotice: (n) => later.push(n) })).toEqual([]);
    expect(later).toEqual([]);
  });

  it('refuses a state file of an unknown version instead of starting over', async () => {
    const { file, state } = await setup('1\n');
    await writeFile(state, JSON.stringify({ version: 99, entries: [] }));
    await expect(run(file, { checkpoint: state })).rejects.toMatchObject({ code: 'ERR_CHECKPOINT_VERSION' });
  });

  it('writes the state file atomically, leaving no temp file behind', async () => {
    const { dir, file, state } = await setup('1\n2\n');
    await run(file, { checkpoint: state, start: { fromLine: 1 } });
    await run(file, { checkpoint: state });
    expect((await readdir(dir)).sort()).toEqual(['app.log', 'state.json', 'state.json.prev']);
  });

  it('forgets files gone for longer than the retention period, never a file still there however quiet', async () => {
    const { file, state } = await setup('1\n2\n');
    await run(file, { checkpoint: state, start: { fromLine: 1 } }, 1);
    const day = 24 * 3600 * 1000;
    const saved = JSON.parse(await readFile(state, 'utf8'));
    const own = { ...saved.entries[0], seen: Date.now() - 30 * day };
    const goneLong = { ...own, path: file + '.gone-long', ino: own.ino + 1 };
    const goneLately = { ...own, path: file + '.gone-lately', ino: own.ino + 2, seen: Date.now() - day };
    await writeFile(state, JSON.stringify({ ...saved, entries: [own, goneLong, goneLately] }));
    // Quiet for 30 days, but still there: it resumes after line 1 (forgotten, it would start at the end).
    expect(await run(file, { checkpoint: state, start: { lines: 0 } })).toEqual(['2']);
    const after = await entries(state);
    expect(after.map((e) => e.path).sort()).toEqual([file, file + '.gone-lately']);
    const mine = after.find((e) => e.path === file) as unknown as { seen: number };
    expect(Date.now() - mine.seen).toBeLessThan(60_000);
  });
});
