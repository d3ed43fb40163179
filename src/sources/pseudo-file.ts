import type { Stats } from 'node:fs';
import { statfs } from 'node:fs/promises';

/**
 * File systems whose regular files report a size that says nothing about their content: 0 for /proc
 * (`/proc/version`, `/proc/kallsyms`: megabytes), a page for /sys (`/sys/kernel/profiling`: 2 bytes).
 * statfs(2) magic numbers, from linux/magic.h.
 */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x42494e4d, 'binfmt_misc'],
  [0xcafe4a11, 'bpf'],
]);

/** How the file is read: with follow, and with a checkpoint (which needs positions in a file). @internal */
export interface ReadingMode {
  readonly following: boolean;
  readonly checkpointed: boolean;
}

/**
 * True for a regular file whose size cannot be trusted, which must therefore be read as a stream, from
 * its start to the end of what it gives (GNU tail's `pipe_lines`/`pipe_bytes`): a file of a /proc-like
 * file system (its size is 0 or a page), or, read once without follow or checkpoint, any file of size 0
 * (GNU reads those as a stream: the size of a file on FUSE and the like may be notional too; an empty
 * file gives nothing either way). A file larger than its block size is trusted, as in GNU tail.
 * @internal
 * @example
 * ```ts
 * await hasNotionalSize('/proc/version', await stat('/proc/version'), { following: false, checkpointed: false }); // true
 * ```
 */
export async function hasNotionalSize(path: string, st: Stats, mode: ReadingMode): Promise<boolean> {
  if (!st.isFile() || st.size > st.blksize) return false;
  if (st.size === 0 && !mode.following && !mode.checkpointed) return true;
  const fs = await statfs(path).catch(() => undefined);
  return fs !== undefined && PSEUDO_FILE_SYSTEMS.has(fs.type);
}
