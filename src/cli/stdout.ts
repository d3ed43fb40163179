import { Transform, type Writable } from 'node:stream';

/**
 * The command's way to stdout: waits for a slow reader, writes parts that may be views of a buffer
 * about to be reused, and stops waiting at once when the run is interrupted (a signal, the reader gone).
 * @internal
 * @example
 * ```ts
 * const out = new StdoutWriter(process.stdout);
 * await out.write(Buffer.from('a line\n'));
 * if (!(await out.writeThrough([block]))) return; // stopped, or the write failed
 * ```
 */
export class StdoutWriter {
  private readonly stdout: Writable;
  private stopped = false;
  /** Ends the wait under way, if any. */
  private wake: (() => void) | undefined;

  constructor(stdout: Writable) {
    this.stdout = stdout;
  }

  /** Writes `buf`; once the stream's buffer is full, resolves when it drains (or closes, or fails, or {@link stop}). */
  async write(buf: Buffer): Promise<void> {
    if (buf.length === 0 || this.stopped) return;
    const stdout = this.stdout;
    if (stdout.write(buf)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.wake = undefined;
        stdout.off('drain', done);
        stdout.off('close', done);
        stdout.off('error', done);
        resolve();
      };
      this.wake = done;
      stdout.on('drain', done);
      stdout.on('close', done);
      stdout.on('error', done);
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
