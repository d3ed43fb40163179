import { closeSync, constants, fstatSync, openSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { fromOsBytes, osPath } from '../os-path.js';

/** A file found by its identity: its path and an open descriptor. @internal */
export interface FoundFile {
  readonly path: string;
  readonly fd: number;
}

/**
 * Opens the file with identity `(dev, ino)`: at one of `paths` if it is still there, else wherever it is
 * now in their directories (renamed by a rotation). Undefined when it is in none of them (deleted, or
 * moved elsewhere). The identity is checked on the open descriptor, so a file replaced meanwhile is not
 * taken. Synchronous (a directory listing and a few stats): it runs when a parked file is needed again
 * and when a checkpoint is resumed, and never blocks on a FIFO (opened non-blocking).
 * @internal
 */
export function openByIdentity(paths: readonly string[], dev: number, ino: number): FoundFile | undefined {
  for (const candidate of paths) {
    const found = openIfSame(candidate, dev, ino);
    if (found) return found;
  }
  for (const dir of new Set(paths.map((p) => path.dirname(p)))) {
    let names: string[];
    try {
      names = readdirSync(osPath(dir), { encoding: 'buffer' }).map(fromOsBytes);
    } catch {
      continue;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const st = statSync(osPath(full), { throwIfNoEntry: false });
      if (!st || st.dev !== dev || st.ino !== ino) continue;
      const found = openIfSame(full, dev, ino);
      if (found) return found;
    }
  }
  return undefined;
}

/** Flags to open a followed file: read only, and never waiting for a writer should it be a FIFO. @internal */
export const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Opens `file` (without blocking) if it is a regular file: its descriptor and status; undefined when it
 * cannot be opened or is something else (closed again then).
 * @internal
 */
export function openRegular(file: string): { fd: number; st: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(osPath(file), READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (st.isFile()) return { fd, st };
  } catch {
    // fall through: not a file to read
  }
  closeSync(fd);
  return undefined;
}

function openIfSame(file: string, dev: number, ino: number): FoundFile | undefined {
  const opened = openRegular(file);
  if (!opened) return undefined;
  if (opened.st.dev === dev && opened.st.ino === ino) return { path: file, fd: opened.fd };
  closeSync(opened.fd);
  return undefined;
}
