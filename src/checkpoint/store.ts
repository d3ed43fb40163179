import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { TailError } from '../errors.js';
import { parseCheckpoint, serializeCheckpoint, type CheckpointEntry } from './state.js';

/**
 * Reads the state file; when it is corrupt, says so through `report` and falls back to the previous
 * good one (`FILE.prev`, kept by every save). A missing file is a first run. A file of another version
 * is an error: it is never silently reset.
 * @internal
 */
export async function loadCheckpoint(file: string, report: (error: TailError) => void): Promise<CheckpointEntry[]> {
  for (const candidate of [file, `${file}.prev`]) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new TailError(`cannot read state file '${candidate}': ${(error as Error).message}`, { code: 'ERR_CHECKPOINT_READ', source: candidate, cause: error });
    }
    try {
      return [...parseCheckpoint(text, candidate).entries];
    } catch (error) {
      if (error instanceof TailError && error.code === 'ERR_CHECKPOINT_CORRUPT') {
        report(error);
        continue;
      }
      throw error;
    }
  }
  return [];
}

/**
 * Writes the state atomically: a temp file in the same directory, fsynced, the current file kept as
 * `FILE.prev`, then the temp file renamed over it and the directory fsynced. A crash at any point leaves
 * either the old state or the new one, whole.
 * @internal
 */
export async function saveCheckpoint(file: string, entries: readonly CheckpointEntry[]): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const temp = `${file}.tmp-${process.pid}`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(serializeCheckpoint(entries));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(`${file}.prev`).catch(() => {});
  await link(file, `${file}.prev`).catch(() => {});
  await rename(temp, file);
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await dirHandle.close();
  }
}
