import { mkdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tail, type TailOptions } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';

const home = process.cwd();
afterEach(() => process.chdir(home));

/** Reads with follow off; `take` lines are pulled and committed, then the loop is left. */
async function run(file: string, options: TailOptions, take = Infinity): Promise<string[]> {
  const texts: string[] = [];
  const stream = tail(file, { follow: false, ...options });
  for await (const line of stream) {
    texts.push(line.text);
    if (texts.length >= take) {
      // Leaving the loop commits nothing by itself (the line in hand may not be done with).
      stream.commit(line);
      break;
    }
  }
  return texts;
}

async function savedPaths(state: string): Promise<string[]> {
  return JSON.parse(await readFile(state, 'utf8')).entries.map((e: { path: string }) => e.path);
}

describe('state file entries are keyed by resolved path', () => {
  it('keeps one entry for s.log, ./s.log and /abs/s.log, so that no stale entry repeats lines', async () => {
    const dir = await realpath(await tempDir());
    await writeFile(path.join(dir, 's.log'), 'a\nb\nc\nd\n');
    const state = path.join(dir, 'state.json');
    process.chdir(dir);
    expect(await run('s.log', { checkpoint: state, start: { fromLine: 1 } }, 1)).toEqual(['a']);
    expect(await run('./s.log', { checkpoint: state }, 2)).toEqual(['b', 'c']);
    // Keyed as typed, 's.log' would still hold the position after 'a' and resume there: b and c again.
    expect(await run('s.log', { checkpoint: state })).toEqual(['d']);
    expect(await run(path.join(dir, 's.log'), { checkpoint: state })).toEqual([]);
    expect(await savedPaths(state)).toEqual([path.join(dir, 's.log')]);
  });

  it('resolves symbolic links in the directory part, not the file name itself', async () => {
    const dir = await realpath(await tempDir());
    await mkdir(path.join(dir, 'real'));
    await symlink(path.join(dir, 'real'), path.join(dir, 'link'));
    await writeFile(path.join(dir, 'real', 's.log'), 'a\nb\n');
    await symlink('s.log', path.join(dir, 'real', 'current.log'));
    const state = path.join(dir, 'state.json');
    expect(await run(path.join(dir, 'link', 's.log'), { checkpoint: state, start: { fromLine: 1 } }, 1)).toEqual(['a']);
    expect(await run(path.join(dir, 'real', 's.log'), { checkpoint: state })).toEqual(['b']);
    expect(await savedPaths(state)).toEqual([path.join(dir, 'real', 's.log')]);
    // A link to a file is a name of its own (its target may change); its lines resume by identity.
    expect(await run(path.join(dir, 'link', 'current.log'), { checkpoint: state })).toEqual([]);
    expect((await savedPaths(state)).sort()).toEqual([path.join(dir, 'real', 'current.log'), path.join(dir, 'real', 's.log')]);
  });

  it('loads a state file written with relative paths, resolving them against the working directory', async () => {
    const dir = await realpath(await tempDir());
    await writeFile(path.join(dir, 's.log'), 'a\nb\nc\n');
    const state = path.join(dir, 'state.json');
    process.chdir(dir);
    await run('s.log', { checkpoint: state, start: { fromLine: 1 } }, 1);
    // As an earlier version wrote it: keyed by the path as typed, plus a stale entry under another spelling.
    const saved = JSON.parse(await readFile(state, 'utf8'));
    const entry = { ...saved.entries[0], path: 's.log' };
    const stale = { ...entry, path: './s.log', offset: 0, line: 1, tailLength: 0, seen: entry.seen - 1000 };
    await writeFile(state, JSON.stringify({ version: 1, entries: [stale, entry] }));
    expect(await run('./s.log', { checkpoint: state, start: { fromLine: 1 } })).toEqual(['b', 'c']);
    expect(await savedPaths(state)).toEqual([path.join(dir, 's.log')]);
  });
});
