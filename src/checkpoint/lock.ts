import { randomBytes } from 'node:crypto';
import { constants, lstatSync, unlinkSync } from 'node:fs';
import { link, lstat, open, readFile, rename, unlink } from 'node:fs/promises';
import { TailError } from '../errors.js';
import { describeErrno } from '../notices.js';
import { companionsOf, TEMP_INFIX } from './paths.js';
import { writeTempFile } from './temp-file.js';
import { quoteAlways } from '../quote.js';

/** A state file's lock, held by this process until released. @internal */
export interface StateLock {
  /** Removes the lock file (if it is still this lock's). Idempotent. */
  release(): Promise<void>;
}

/** Locks held by this process: by state file, the identity of the lock file made. */
const held = new Map<string, { readonly lock: string; readonly ino: number }>();
/** State files whose lock this process is taking right now. */
const taking = new Set<string>();

/** Highest pid Linux hands out (pid_max's limit): anything else in a lock file is not a pid. */
const MAX_PID = 4_194_304;

/**
 * Takes the lock of state file `file` (an absolute path; `shown` is how messages name it): the file
 * `FILE.lock` next to it, holding this process's pid. It is published whole, by linking a temp file
 * to the name (which fails if the name exists), so that no one ever reads a half-written lock. A lock
 * whose process is gone (killed with -9, say) is stale and taken over; a live holder's lock is not:
 * `ERR_CHECKPOINT_LOCKED`, naming its pid. A lock that cannot be written at all (missing or read-only
 * directory, full disk) is `ERR_CHECKPOINT_UNWRITABLE`: this is the start check of a state file.
 * The lock is released by {@link StateLock.release}, and at the latest when the process exits.
 *
 * @example
 * ```ts
 * const lock = await lockStateFile('/var/lib/app/tail.state', 'tail.state');
 * try { … } finally { await lock.release(); }
 * ```
 * @internal
 */
export async function lockStateFile(file: string, shown: string): Promise<StateLock> {
  if (held.has(file) || taking.has(file)) throw locked(shown, process.pid);
  const { lock } = companionsOf(file);
  taking.add(file);
  let ino: number;
  try {
    ino = await acquire(file, lock, shown);
  } catch (error) {
    if (error instanceof TailError) throw error;
    throw new TailError(`cannot write state file ${quoteAlways(shown)}: ${describeErrno(error as NodeJS.ErrnoException)}`, {
      code: 'ERR_CHECKPOINT_UNWRITABLE',
      source: shown,
      cause: error,
    });
  } finally {
    taking.delete(file);
  }
  if (held.size === 0) process.on('exit', releaseAllNow);
  const mine = { lock, ino };
  held.set(file, mine);
  let released: Promise<void> | undefined;
  return {
    release: () => {
      released ??= (async () => {
        held.delete(file);
        if (held.size === 0) process.off('exit', releaseAllNow);
        // Only this lock: had it been taken over meanwhile (this process thought dead), it is not ours to remove.
        const st = await lstat(lock).catch(() => undefined);
        if (st?.ino === ino) await unlink(lock).catch(() => {});
      })();
      return released;
    },
  };
}

/** Publishes the lock, taking over stale ones; returns the lock file's inode. */
async function acquire(file: string, lock: string, shown: string): Promise<number> {
  const content = `${process.pid}\n${startTimeLine(await startTime(process.pid))}`;
  let temp = await writeTempFile(file, content);
  let inPlace = false;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        if (inPlace) return await createInPlace(lock, content);
        await link(temp, lock);
        return (await lstat(lock)).ino;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') await judge(file, lock, shown);
        // Our temp file was removed as a leftover by a process that had just taken the lock: write it again.
        else if (code === 'ENOENT' && !inPlace) temp = await writeTempFile(file, content);
        else if (NO_HARD_LINKS.has(code) && !inPlace) inPlace = true;
        else throw error;
      }
    }
    throw new TailError(`state file ${quoteAlways(shown)} is in use: its lock changes hands too often`, { code: 'ERR_CHECKPOINT_LOCKED', source: shown });
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** What `link()` fails with on file systems without hard links (FAT, some FUSE and SMB mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** Without hard links: the lock is created exclusively in place, then written (a reader may see it empty meanwhile). */
async function createInPlace(lock: string, content: string): Promise<number> {
  const handle = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await handle.writeFile(content);
    return (await handle.stat()).ino;
  } catch (error) {
    await unlink(lock).catch(() => {});
    throw error;
  } finally {
    await handle.close();
  }
}

/** The lock exists: throws if its holder is alive, else moves the stale lock out of the way. */
async function judge(file: string, lock: string, shown: string): Promise<void> {
  const holder = await readHolder(lock);
  if (holder === undefined) return; // gone meanwhile: try again
  if (holder.pid !== undefined && (await alive(holder.pid, holder.start))) throw locked(shown, holder.pid);
  // Stale. Moved aside first (to a temp name, which the next start cleans up should we be killed now), and
  // removed only if it is the very lock judged: a process that took it over a moment ago keeps its own.
  const aside = `${file}${TEMP_INFIX}${randomBytes(8).toString('hex')}`;
  try {
    await rename(lock, aside);
  } catch {
    return;
  }
  const st = await lstat(aside).catch(() => undefined);
  if (st && st.ino !== holder.ino) await link(aside, lock).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** What a lock file says: pid and start time of its holder (undefined for what is not a pid), and its inode. */
async function readHolder(lock: string): Promise<{ pid: number | undefined; start: string | undefined; ino: number } | undefined> {
  let handle;
  try {
    handle = await open(lock, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A link, or unreadable: not a lock this program wrote, so not one anybody holds.
    const st = await lstat(lock).catch(() => undefined);
    return st && { pid: undefined, start: undefined, ino: st.ino };
  }
  try {
    const st = await handle.stat();
    const buf = Buffer.alloc(128);
    const { bytesRead } = await handle.read(buf, 0, st.isFile() ? buf.length : 0, 0);
    const [first, second] = buf.toString('latin1', 0, bytesRead).split('\n');
    const pid = /^\d{1,7}$/.test(first ?? '') ? Number(first) : undefined;
    const start = /^start \d+$/.test(second ?? '') ? second!.slice(6) : undefined;
    return { pid: pid !== undefined && pid > 0 && pid <= MAX_PID ? pid : undefined, start, ino: st.ino };
  } finally {
    await handle.close();
  }
}

/**
 * True when process `pid` runs and is the one that wrote the lock: same start time where /proc tells
 * (a pid reused since is not the holder). This process's own pid in a lock it does not hold is a
 * previous life's (a restarted container's pid 1).
 */
async function alive(pid: number, start: string | undefined): Promise<boolean> {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (start === undefined) return true;
  const now = await startTime(pid);
  return now === undefined || now === start;
}

/** Field 22 of /proc/PID/stat, the process's start time since boot; undefined without /proc. */
async function startTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => undefined);
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function startTimeLine(start: string | undefined): string {
  return start === undefined ? '' : `start ${start}\n`;
}

function locked(shown: string, pid: number): TailError {
  return new TailError(`state file ${quoteAlways(shown)} is in use by process ${pid}`, { code: 'ERR_CHECKPOINT_LOCKED', source: shown });
}

/** At exit, whatever the way out: remove the locks still held (each only if it is still ours). */
function releaseAllNow(): void {
  for (const { lock, ino } of held.values()) {
    try {
      if (lstatSync(lock).ino === ino) unlinkSync(lock);
    } catch {
      // already gone
    }
  }
  held.clear();
}
