import { closeSync, constants, fstatSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

/** How often the reader of a piped output is looked for: GNU tail 9 polls its output while it waits; four looks a second cost ~1 ms of CPU a second here. */
export const OUTPUT_READER_CHECK_MS = 250;

/** A process's descriptor open on the pipe, for reading. */
interface Holder {
  readonly pid: string;
  readonly fd: string;
}

/** Where to look: /proc, and this process (tests use other pipes than standard output). @internal */
export interface ReaderWatchOptions {
  readonly fd?: number;
  readonly everyMs?: number;
}

/**
 * Calls `onGone` once every reader of the output has gone, when it is a pipe or a FIFO
 * (`tail-async app.log | head -1` on a quiet file), without writing anything: GNU tail 9 exits then too,
 * as if killed by SIGPIPE. Returns the function that stops watching; nothing is watched when the output
 * is not a pipe.
 *
 * GNU polls the output for POLLERR; Node has no poll(2), and libuv watches a write-only descriptor only
 * while a write is pending (measured: a `net.Socket` or `tty.ReadStream` on it fails with ENOTCONN, and a
 * write of 0 bytes succeeds on a widowed pipe). So, Linux only: a named FIFO is opened again, write-only
 * and non-blocking, which the kernel refuses (ENXIO) once no reader holds it; an anonymous pipe (the
 * shell's `|`) is found in /proc/PID/fd of its readers, as `fuser` does: the descriptors found are looked
 * at again every {@link OUTPUT_READER_CHECK_MS} ms (one readlink each), and /proc is searched again only
 * when they are all gone (the reader may have handed the pipe to a child). When a process that may hold
 * the pipe cannot be looked into (another user's process in this session, or anywhere for a named FIFO;
 * /proc mounted with hidepid), nothing is concluded and the watch stops: the next write ends the run then.
 * The timer never keeps the process alive.
 * @internal
 * @example
 * ```ts
 * const stop = watchOutputReader(() => process.exit(141));
 * // … later
 * stop();
 * ```
 */
export function watchOutputReader(onGone: () => void, { fd = 1, everyMs = OUTPUT_READER_CHECK_MS }: ReaderWatchOptions = {}): () => void {
  let target: string;
  try {
    if (!fstatSync(fd).isFIFO()) return () => {};
    target = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return () => {};
  }
  const look = target.startsWith('pipe:[') ? pipeReaders(target) : fifoReaders(fd);
  if (!look) return () => {};
  let busy = false;
  const settle = (state: ReaderState) => {
    busy = false;
    if (state === 'held') return;
    clearInterval(timer);
    if (state === 'gone') onGone();
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const state = look();
    if (typeof state === 'string') settle(state);
    else void state.then(settle);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

type ReaderState = 'held' | 'gone' | 'unknown';

/** A named FIFO: the kernel tells, by refusing a non-blocking open for writing when nobody reads. */
function fifoReaders(fd: number): () => ReaderState {
  return () => {
    try {
      closeSync(openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK));
      return 'held';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENXIO' ? 'gone' : 'unknown';
    }
  };
}

/** An anonymous pipe (`pipe:[INODE]`): the processes holding it open for reading, found in /proc. */
function pipeReaders(target: string): (() => ReaderState | Promise<ReaderState>) | undefined {
  if (hidesProcesses()) return undefined;
  const self = String(process.pid);
  const session = sessionOf('self');
  let holders: Holder[] = [];
  const stillHeld = () =>
    holders.some((h) => {
      try {
        return readlinkSync(`/proc/${h.pid}/fd/${h.fd}`) === target;
      } catch {
        return false;
      }
    });
  return () => {
    if (stillHeld()) return 'held';
    return searchProc(target, self, session).then((found) => {
      holders = found.holders;
      return holders.length > 0 ? 'held' : found.blind ? 'unknown' : 'gone';
    });
  };
}

/** Every descriptor of another process open for reading on `target`; `blind` when a process of `session` could not be looked into. */
async function searchProc(target: string, self: string, session: string | undefined): Promise<{ holders: Holder[]; blind: boolean }> {
  const holders: Holder[] = [];
  let blind = false;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid) || pid === self) continue;
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (session === undefined || sessionOf(pid) === session)) blind = true;
      continue;
    }
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => undefined)) !== target) continue;
      if (await readsFrom(pid, fd)) holders.push({ pid, fd });
    }
  }
  return { holders, blind };
}

/** True when descriptor `fd` of `pid` was opened for reading (O_RDONLY or O_RDWR), from its fdinfo. */
async function readsFrom(pid: string, fd: string): Promise<boolean> {
  const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => undefined);
  const flags = info === undefined ? undefined : /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
  return flags === undefined || (Number.parseInt(flags, 8) & 3) !== constants.O_WRONLY;
}

/** The session id of a process (field 6 of /proc/PID/stat, after the command name in parentheses). */
function sessionOf(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3];
  } catch {
    return undefined;
  }
}

/** True when /proc shows only some processes (mounted with hidepid): a reader may be hidden. */
function hidesProcesses(): boolean {
  try {
    const proc = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((line) => line.split(' ')[4] === '/proc');
    return proc === undefined || /\bhidepid=(?!0\b|off\b)/.test(proc);
  } catch {
    return true;
  }
}
