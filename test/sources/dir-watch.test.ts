/**
 * DirWatch's sibling events: what came right before an event for a rotated-name file tells whether the
 * file there was renamed from the watched name (a rotation) or made otherwise (a copytruncate's copy).
 */
import { appendFileSync, copyFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirWatch, type SiblingEvent } from '../../src/sources/dir-watch.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

const watches: DirWatch[] = [];
afterEach(() => {
  for (const watch of watches.splice(0)) watch.close();
});

/** Watches `app.log` in a new directory, with its siblings; returns the sibling events as they come. */
async function watchSiblings(): Promise<{ file: string; events: SiblingEvent[] }> {
  const file = path.join(await tempDir(), 'app.log');
  writeFileSync(file, 'a1\n');
  const watch = new DirWatch();
  watches.push(watch);
  const events: SiblingEvent[] = [];
  watch.subscribe(file, (event, sibling) => {
    if (event === 'sibling' && sibling) events.push(sibling);
  }, { siblings: true });
  return { file, events };
}

describe('DirWatch sibling events', () => {
  it('a rename from the name comes right after the name\'s own event', async () => {
    const { file, events } = await watchSiblings();
    renameSync(file, `${file}.1`);
    await waitFor(() => events.length >= 1, 'the sibling event');
    expect(events).toEqual([{ entry: 'app.log.1', after: 'app.log' }]);
  });

  it('a copy made after the file was written comes after no entry event', async () => {
    const { file, events } = await watchSiblings();
    appendFileSync(file, 'a2\n');
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    await waitFor(() => events.length >= 1, 'the sibling event');
    expect(events[0]).toEqual({ entry: 'app.log.1', after: undefined });
  });

  it('a rename from one rotated name to another comes right after the other one\'s event', async () => {
    const { file, events } = await watchSiblings();
    appendFileSync(file, 'a2\n');
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, 'late\n');
    renameSync(`${file}.1`, `${file}.2`);
    await waitFor(() => events.length >= 3, 'three sibling events');
    expect(events).toEqual([
      { entry: 'app.log.1', after: 'app.log' },
      { entry: 'app.log.1', after: 'app.log.1' },
      { entry: 'app.log.2', after: 'app.log.1' },
    ]);
  });
});
