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

/**
 * True for a regular file whose size cannot be trusted, which must therefore be read as a stream, from
 * its start to the end of what it gives (GNU tail's `pipe_lines`/`pipe_bytes`): a file of a /proc-like
 * file system, whose size is 0 or a page. A file larger than its block size is trusted, as in GNU tail
 * (no statfs for it). GNU also reads any other file of size 0 as a stream (once, without follow); here
 * such a file is read by position: an empty file gives nothing either way, and a file of FUSE or the like
 * that lies about its size is not recognised.
 * @internal
 * @example
 * ```ts
 * await hasNotionalSize('/proc/version', await stat('/proc/version')); // true
 * ```
 */
export async function hasNotionalSize(path: string, st: Stats): Promise<boolean> {
  if (!st.isFile() || st.size > st.blksize) return false;
  const fs = await statfs(path).catch(() => undefined);
  return fs !== undefined && PSEUDO_FILE_SYSTEMS.has(fs.type);
}
