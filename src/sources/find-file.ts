import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** A file found by its identity: its path and an open handle. @internal */
export interface FoundFile {
  readonly path: string;
  readonly handle: FileHandle;
}

/**
 * Opens the file with identity `(dev, ino)`: at one of `paths` if it is still there, else wherever it is
 * now in their directories (renamed by a rotation). Undefined when it is in none of them (deleted, or
 * moved elsewhere). The identity is checked on the open handle, so a file replaced meanwhile is not taken.
 * @internal
 */
export async function openByIdentity(paths: readonly string[], dev: number, ino: number): Promise<FoundFile | undefined> {
  for (const candidate of paths) {
    const found = await openIfSame(candidate, dev, ino);
    if (found) return found;
  }
  for (const dir of new Set(paths.map((p) => path.dirname(p)))) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const st = await stat(full).catch(() => undefined);
      if (!st || st.dev !== dev || st.ino !== ino) continue;
      const found = await openIfSame(full, dev, ino);
      if (found) return found;
    }
  }
  return undefined;
}

async function openIfSame(file: string, dev: number, ino: number): Promise<FoundFile | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  const st = await handle.stat().catch(() => undefined);
  if (st && st.isFile() && st.dev === dev && st.ino === ino) return { path: file, handle };
  await handle.close().catch(() => {});
  return undefined;
}
