import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The path a file is known by in the state file: absolute, with symbolic links in its directory part
 * resolved (where the directory exists), the last component kept as it is. `s.log`, `./s.log` and
 * `/abs/s.log` are one key; a link to a file stays a name of its own, since what it points to may change
 * (its lines are matched to an entry by identity all the same).
 *
 * @example
 * ```ts
 * resolvePath('./logs/../app.log', '/srv'); // '/srv/app.log' (or where /srv really is)
 * ```
 * @internal
 */
export function resolvePath(name: string, cwd = process.cwd(), dirs?: Map<string, string>): string {
  const absolute = path.resolve(cwd, name);
  const dir = path.dirname(absolute);
  let real = dirs?.get(dir);
  if (real === undefined) {
    try {
      real = realpathSync.native(dir);
    } catch {
      real = dir; // not there (yet): the name as resolved is all there is
    }
    dirs?.set(dir, real);
  }
  return path.join(real, path.basename(absolute));
}

/** Suffix of temp files: `FILE.tmp-` and 16 random hex digits. */
export const TEMP_INFIX = '.tmp-';

/**
 * The files that belong to a state file, all in its directory: the previous state (`FILE.prev`), the
 * lock (`FILE.lock`) and temp files (`FILE.tmp-` followed by 16 random hex digits).
 * @internal
 */
export function companionsOf(file: string): { readonly prev: string; readonly lock: string; readonly tempPrefix: string } {
  return { prev: `${file}.prev`, lock: `${file}.lock`, tempPrefix: `${file}${TEMP_INFIX}` };
}
