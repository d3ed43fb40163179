import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { TEMP_INFIX } from './paths.js';

/** Created only if nothing is at the name, never through a symbolic link. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Creates a temp file next to `target`, named `TARGET.tmp-` and 16 random hex digits, exclusively and
 * with mode 0600: nothing planted at a name someone could guess (a symbolic link to a file of root's,
 * say) is ever opened.
 *
 * @example
 * ```ts
 * const { path, handle } = await createTempFile('/var/lib/app/tail.state'); // …/tail.state.tmp-9f3c…
 * ```
 * @internal
 */
export async function createTempFile(target: string): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    const name = `${target}${TEMP_INFIX}${randomBytes(8).toString('hex')}`;
    try {
      return { path: name, handle: await open(name, CREATE_NEW, 0o600) };
    } catch (error) {
      // A name already taken, by chance or by design: draw another.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 3) throw error;
    }
  }
}

/**
 * Writes `data` to a new temp file next to `target` (see {@link createTempFile}) and fsyncs it; returns
 * its path. On any failure the temp file is removed before the error is passed on.
 * @internal
 */
export async function writeTempFile(target: string, data: string): Promise<string> {
  const { path: name, handle } = await createTempFile(target);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(name).catch(() => {});
    throw error;
  }
  return name;
}

/**
 * Removes temp files of `target` left by a process killed in the middle of a save: names of the form
 * {@link createTempFile} makes, and `TARGET.tmp-PID` of earlier versions. Run only while holding the
 * state file's lock, so that no other process is writing one.
 * @internal
 */
export async function removeLeftoverTemps(target: string): Promise<void> {
  const dir = path.dirname(target);
  const ours = new RegExp(`^${escapeRegExp(path.basename(target) + TEMP_INFIX)}(?:[0-9a-f]{16}|\\d+)$`);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => ours.test(name)).map((name) => unlink(path.join(dir, name)).catch(() => {})));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
