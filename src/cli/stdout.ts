import { Transform, type Writable } from 'node:stream';

/**
 * The command's way to stdout: waits until the stream is done with each write (for a file or a pipe: the
 * kernel took every byte), so that only what was written counts as delivered; writes parts that may be
 * views of a buffer about to be reused; and stops waiting at once when the run is interrupted (a signal,
 * the reader gone). A failed write is passed to `onError`.
 * @internal
 * @example
 * ```ts
 * const out = new StdoutWriter(process.stdout, (error) => console.error(error.code));
 * if (!(await out.write(Buffer.from('a line\n')))) return; // stopped, or the write failed
 * if (!(await out.writeThrough([block]))) return;
 * ```
 */
export class StdoutWriter {
  private readonly stdout: Writable;
  private readonly onError: (error: NodeJS.ErrnoException) => void;
  private stopped = false;
  /** Ends the wait under way, if any. */
  private wake: (() => void) | undefined;

  constructor(stdout: Writable, onError: (error: NodeJS.ErrnoException) => void = () => {}) {
    this.stdout = stdout;
    this.onError = onError;
  }

  /**
   * Writes `buf`; resolves once the stream is done with it: to true when it was written, to false when
   * the write failed, the stream closed, or the writer was {@link stop}ped.
   */
  write(buf: Buffer): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (buf.length === 0) return Promise.resolve(true);
    const stdout = this.stdout;
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean) => {
        if (settled) return;
        settled = true;
        this.wake = undefined;
        stdout.off('close', closed);
        resolve(ok && !this.stopped);
      };
      const closed = () => done(false);
      this.wake = closed;
      stdout.on('close', closed);
      stdout.write(buf, (error) => {
        if (error) this.onError(error);
        done(!error);
      });
    });
  }

  /**
   * Writes parts whose memory is reused once this resolves: to true when the stream is done with them
   * (its callback ran), to false when the write failed or the writer was stopped. Several parts go out
   * in one system call (`writev`). A Transform (a test double, a PassThrough) gets copies, since it
   * hands the chunks themselves to a reader who may read them later.
   */
  writeThrough(parts: readonly Buffer[]): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (parts.length === 0) return Promise.resolve(true);
    const stdout = this.stdout;
    const own = (part: Buffer) => (stdout instanceof Transform ? Buffer.from(part) : part);
    return new Promise((resolve) => {
      this.wake = () => resolve(false);
      stdout.cork();
      for (let i = 0; i < parts.length - 1; i++) stdout.write(own(parts[i]!));
      stdout.write(own(parts[parts.length - 1]!), (error) => {
        this.wake = undefined;
        if (error) this.onError(error);
        resolve(!error && !this.stopped);
      });
      stdout.uncork();
    });
  }

  /** Ends any wait now; later writes do nothing. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
