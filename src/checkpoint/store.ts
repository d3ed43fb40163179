import { constants } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { TailError } from '../errors.js';
import { describeErrno } from '../notices.js';
import { companionsOf } from './paths.js';
import { corruptStateFile as corrupt, parseCheckpoint, serializeCheckpoint, type CheckpointEntry } from './state.js';
import { writeTempFile } from './temp-file.js';
import { quoteAlways } from '../quote.js';

/** Largest state file read: beyond it the file is not what this version writes (100 000 entries take ~25 MB). @internal */
export const MAX_STATE_BYTES = 64 * 1024 * 1024;

/** Read only, and never waiting for a writer should the name be a FIFO. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Reads the state file; when it is corrupt, says so through `report` and falls back to the previous
 * good one (`FILE.prev`, kept by every save). A missing file is a first run, unless `FILE.prev` is there
 * (the state file was removed after two saves or more): then that is read, and `report` says so
 * (`ERR_CHECKPOINT_MISSING`), since the run resumes from older positions than were saved last. A file of
 * another version is an error: it is never silently reset. Entries that are malformed are reported and
 * dropped. `file` is where the state file is; `shown`, how messages name it.
 * @internal
 */
export async function loadCheckpoint(file: string, report: (error: TailError) => void, shown = file): Promise<CheckpointEntry[]> {
  let missing = false;
  for (const [candidate, name] of [
    [file, shown],
    [companionsOf(file).prev, companionsOf(shown).prev],
  ] as const) {
    try {
      const text = await readBounded(candidate, name);
      if (text === undefined) {
        missing ||= candidate === file;
        continue;
      }
      const state = parseCheckpoint(text, name);
      if (missing) report(new TailError(`state file ${quoteAlways(shown)} is missing; resuming from ${quoteAlways(name)}`, { code: 'ERR_CHECKPOINT_MISSING', source: shown }));
      if (state.problem) report(state.problem);
      return [...state.entries];
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
 * Writes the state atomically: a temp file in the same directory (see `createTempFile`), fsynced, the
 * current file kept as `FILE.prev`, then the temp file renamed over it and the directory fsynced. A
 * crash at any point leaves either the old state or the new one, whole; a failure removes the temp file.
 * @internal
 */
export async function saveCheckpoint(file: string, entries: readonly CheckpointEntry[]): Promise<void> {
  const temp = await writeTempFile(file, serializeCheckpoint(entries));
  try {
    const { prev } = companionsOf(file);
    await unlink(prev).catch(() => {});
    await link(file, prev).catch(() => {});
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** The text of a state file, read only if it is a regular file of a sane size; undefined if there is none. */
async function readBounded(file: string, shown: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw readError(shown, error);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw corrupt(shown, 'not a regular file');
    if (st.size > MAX_STATE_BYTES) throw corrupt(shown, `larger than ${MAX_STATE_BYTES / 1024 / 1024} MiB`);
    const buf = Buffer.alloc(st.size);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await handle.read(buf, done, buf.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.toString('utf8', 0, done);
  } catch (error) {
    throw error instanceof TailError ? error : readError(shown, error);
  } finally {
    await handle.close();
  }
}

/** Makes the rename durable. The state is saved once renamed: a directory that cannot be synced only weakens that. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  try {
    await handle?.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => {});
  }
}

function readError(shown: string, error: unknown): TailError {
  return new TailError(`cannot read state file ${quoteAlways(shown)}: ${describeErrno(error as NodeJS.ErrnoException)}`, { code: 'ERR_CHECKPOINT_READ', source: shown, cause: error });
}
