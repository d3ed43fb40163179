import { fstatSync, readFileSync, statSync, writeSync, writevSync, type Stats } from 'node:fs';
import { Writable } from 'node:stream';
import { isatty } from 'node:tty';

/**
 * Standard output on a file or a device, written with blocking system calls until the kernel has taken
 * every byte. Node's own stream for such an output ignores short writes: on a full disk, bytes the
 * kernel refused would count as written (and as delivered, with a state file). A write error (ENOSPC,
 * EIO, EBADF…) fails the write, with the errno error.
 * @internal
 * @example
 * ```ts
 * const out = new FdOutput(1);
 * out.write(Buffer.from('a line\n'), (error) => { if (error) console.error(error.code); });
 * ```
 */
export class FdOutput extends Writable {
  private readonly fd: number;
  /** The descriptor was closed when the process started: every write fails with EBADF, as it would have. */
  private readonly wasClosed: boolean;

  constructor(fd: number, wasClosed = false) {
    super({ decodeStrings: true });
    this.fd = fd;
    this.wasClosed = wasClosed;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this._writev([{ chunk }], done);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    try {
      if (this.wasClosed) throw errnoError('EBADF', 'bad file descriptor');
      writeAll(this.fd, chunks.map((c) => c.chunk));
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }
}

/** Writes every byte of `buffers`, going on after short writes; throws the errno error that stops it. */
function writeAll(fd: number, buffers: Buffer[]): void {
  let rest = buffers.filter((b) => b.length > 0);
  while (rest.length > 0) {
    let n = rest.length === 1 ? writeSync(fd, rest[0]!) : writevSync(fd, rest);
    if (n === 0) throw errnoError('EIO', 'i/o error');
    let i = 0;
    while (i < rest.length && n >= rest[i]!.length) n -= rest[i++]!.length;
    rest = rest.slice(i);
    if (n > 0) rest[0] = rest[0]!.subarray(n);
  }
}

function errnoError(code: string, text: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, write`), { code, syscall: 'write' });
}

/**
 * The stream the command should write its output to: an {@link FdOutput} when standard output is a
 * file or a device (short writes and write errors seen), also when it was closed (`>&-`); else
 * `process.stdout` (a pipe, a socket or a terminal, where Node writes every byte or fails).
 * @internal
 * @example
 * ```ts
 * main(argv, { stdin: process.stdin, stdout: standardOutput(), stderr: process.stderr });
 * ```
 */
export function standardOutput(): Writable {
  let st: Stats;
  try {
    st = fstatSync(1);
  } catch {
    return process.stdout;
  }
  if (closedAtStart(1)) return new FdOutput(1, true);
  if ((st.isFile() || st.isCharacterDevice() || st.isBlockDevice()) && !isatty(1)) return new FdOutput(1);
  return process.stdout;
}

/**
 * True when descriptor `fd` (standard input or output) was closed when the process started
 * (`tail-async … <&-`, `>&-`). Node then opens /dev/null in its place, for reading and writing; a shell's
 * `</dev/null` opens it for reading only, `>/dev/null` for writing only. daemon(3) and its kind open
 * /dev/null for reading and writing as both standard input and output: that case is taken for what it
 * is, no input and output meant to be discarded (and so is one where both were closed). Linux only (/proc).
 * @internal
 */
export function closedAtStart(fd: 0 | 1): boolean {
  return nullForReadAndWrite(fd) && !nullForReadAndWrite(fd === 0 ? 1 : 0);
}

function nullForReadAndWrite(fd: number): boolean {
  let st: Stats;
  try {
    st = fstatSync(fd);
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    if (flags === undefined || (parseInt(flags, 8) & 3) !== 2) return false;
  } catch {
    return false;
  }
  return st.isCharacterDevice() && st.rdev === devNull()?.rdev;
}

function devNull(): Stats | undefined {
  try {
    return statSync('/dev/null');
  } catch {
    return undefined;
  }
}
