import { fstat, read, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Notice } from '../notices.js';
import { notices } from '../notices.js';

/** Bytes asked of one read. */
const CHUNK = 64 * 1024;

/**
 * A regular file open on a descriptor the process was given (standard input: `tail < app.log`), read by
 * position from `from` to its end. Followed (`follow`), as GNU tail follows it: looked at again every
 * `interval` ms once at its end (there is no name to watch), and read again from its start when it got
 * shorter than what was read ("file truncated"). The descriptor is not ours: it is never closed here.
 * @internal
 */
export class DescriptorStream extends Readable {
  private readonly fd: number;
  private readonly name: string;
  /** How notices name it (GNU's "standard input" for `-`). */
  private readonly label: string;
  private readonly interval: number;
  private readonly onNotice: (notice: Notice) => void;
  private position: number;
  private readonly follow: boolean;
  private timer: NodeJS.Timeout | undefined;

  constructor(fd: number, name: string, from: number, { follow, interval, onNotice }: { follow: boolean; interval: number; onNotice: (notice: Notice) => void }) {
    super({ highWaterMark: CHUNK });
    this.follow = follow;
    this.fd = fd;
    this.name = name;
    this.label = name === '-' ? 'standard input' : name;
    this.position = from;
    this.interval = interval;
    this.onNotice = onNotice;
  }

  override _read(): void {
    const buffer = Buffer.allocUnsafe(CHUNK);
    read(this.fd, buffer, 0, CHUNK, this.position, (error, bytes) => {
      if (this.destroyed) return;
      if (error) return void this.destroy(error);
      if (bytes > 0) {
        this.position += bytes;
        this.push(buffer.subarray(0, bytes));
        return;
      }
      if (!this.follow) return void this.push(null);
      fstat(this.fd, (statError, st) => {
        if (this.destroyed) return;
        if (statError) return void this.destroy(statError);
        if (st.size < this.position) {
          this.onNotice({ ...notices.truncated(this.label), source: this.name });
          this.position = 0;
          return void this._read();
        }
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this._read();
        }, this.interval);
      });
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    callback(error);
  }
}

/**
 * The offset of descriptor `fd` (Linux shows it in /proc; Node has no lseek), or undefined where it
 * cannot be known.
 * @internal
 */
export function descriptorOffset(fd: number): number | undefined {
  try {
    const match = /^pos:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
