import { appendFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Generation, type GenerationContext } from '../../src/sources/generation.js';
import { Generations } from '../../src/sources/generations.js';
import { birthOf } from '../../src/sources/file-ref.js';
import { RotatedFiles } from '../../src/sources/rotated-files.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

const context: GenerationContext = {
  framing: { delimiter: 10, maxLineBytes: 1 << 20, overlong: 'split', encoding: 'utf8' },
  readSize: 64 * 1024,
  pool: undefined,
};

const opened: Generation[] = [];
afterEach(() => {
  for (const gen of opened.splice(0)) gen.dispose();
});

/** A follower's view of `DIR/app.log`, as far as rotated files go: what it holds, and what it makes of the rest. */
async function following(): Promise<{ dir: string; name: string; gens: Generations; rotated: RotatedFiles; pin: (file: string) => Generation }> {
  const dir = await tempDir();
  const name = path.join(dir, 'app.log');
  const gens = new Generations(60_000, () => {});
  const pin = (file: string): Generation => {
    const { gen } = Generation.pin(file, name, context);
    opened.push(gen);
    return gen;
  };
  const rotated = new RotatedFiles(name, 60_000, {
    gens,
    heldElsewhere: () => false,
    pinAt: (file, seen) => {
      const gen = pin(file);
      return gen.isSameFile(seen) ? gen : undefined;
    },
    arrival: () => {},
    hint: () => {},
  });
  return { dir, name, gens, rotated, pin };
}

/** {@link following}, with an empty `app.log` at the name, held from the start and looked at, and the file clock past its birth. */
async function followingEmptyFile() {
  const f = await following();
  writeFileSync(f.name, '');
  const gen = f.pin(f.name);
  f.gens.setCurrent(gen);
  f.rotated.arrived(true);
  gen.seenAtName = Date.now();
  await clockPast(f.name);
  return { ...f, gen };
}

/** Until the coarse file clock has moved well past the birth of `file` (a few ms). */
async function clockPast(file: string): Promise<void> {
  const born = birthOf(statSync(file));
  await waitFor(() => Date.now() > born + 20, 'the file clock to move on');
}

describe('copies of a file nothing was read of', () => {
  it('a file found in the directory (never seen at the name) is not taken for the original of a later rotated file', async () => {
    const { dir, gens, rotated, pin } = await following();
    // Found by a sweep: it held the name unseen, and nothing of it is read yet.
    const unseen = path.join(dir, 'app.log.1');
    writeFileSync(unseen, 'first\n');
    const gen = pin(unseen);
    gens.insertOlder(gen, gen.file.born);
    await clockPast(unseen);
    // The next file to hold the name, rotated away too; then a late write to the first one.
    writeFileSync(path.join(dir, 'app.log.2'), 'second\n');
    appendFileSync(unseen, 'late\n');
    const out: never[] = [];
    expect(rotated.takeCopy(out)).toBe(false);
    expect(gens.all).toEqual([gen]);
  });

  it('a rotated file born beside the file at the name is judged at once: a look after the listing sees the file still there', async () => {
    const { dir, name, gens, rotated, gen } = await followingEmptyFile();
    // copytruncate: the copy, then the file truncated and written anew, within one tick of the file clock.
    const copy = path.join(dir, 'app.log.1');
    writeFileSync(copy, 'one\ntwo\n');
    truncateSync(name);
    appendFileSync(name, 'three\n');
    const out: never[] = [];
    // The last look came before the copy was born, but the one takeCopy makes after listing it tells.
    expect(rotated.takeCopy(out)).toBe(true);
    expect(gens.all.map((g) => g.isSameFile(statSync(copy)))).toEqual([true, false]);
  });

  it('a rotated file born after the last look, once the file has left the name, is not taken for its copy', async () => {
    const { dir, name, gens, rotated, gen } = await followingEmptyFile();
    // The file is rotated away; another one holds the name, is written and rotated away in turn, unseen.
    renameSync(name, path.join(dir, 'app.log.1'));
    writeFileSync(name, 'unseen\n');
    renameSync(name, path.join(dir, 'app.log.2'));
    appendFileSync(path.join(dir, 'app.log.1'), 'late\n');
    const out: never[] = [];
    expect(rotated.takeCopy(out)).toBe(false);
    expect(gens.all).toEqual([gen]);
  });
});
