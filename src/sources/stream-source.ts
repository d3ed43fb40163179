import { ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Line } from '../lines/line.js';
import { Framer } from '../lines/framer.js';
import type { ResolvedOptions, StartPosition } from '../options.js';
import { notices } from '../notices.js';
import type { Source, SourceHost } from './source.js';

/** Bytes of last lines kept from a stream before they are trimmed to the last N lines. */
const WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Lines from any `Readable` (standard input, a pipe, a socket, a FIFO), through the same framer as
 * files. It reads only when pulled (`stream.read()` in paused mode), so the stream's own buffer limit
 * bounds memory. "Last N lines/bytes" cannot be known before the end of a stream, so those starts keep
 * a bounded window and emit it at the end, as GNU tail does on a pipe.
 * @internal
 */
export class StreamSource implements Source {
  readonly name: string;
  private stream: Readable;
  /** For a followed FIFO: the stream of what later writers write, once the first one ended. */
  private readonly next: (() => Readable) | undefined;
  private readonly host: SourceHost;
  private readonly framer: Framer;
  private start0: StartPosition | undefined;
  private out: Line[] = [];
  /** For `{ lines: N }`: the last lines seen so far, and their bytes. */
  private window: Line[] = [];
  private windowBytes = 0;
  /** For `{ bytes: N }`: the last bytes seen so far, framed only at the end. */
  private tailBytes: Buffer[] = [];
  private tailByteCount = 0;
  /** For `{ fromByte: N }`: bytes still to skip. */
  private skipBytes = 0;
  private position = 0;
  private readable = false;
  private ended = false;
  private finished = false;
  private closed = false;
  /** Ends only once stopped, not at the end of the stream (see the constructor). */
  readonly untilStopped: boolean;
  private stopped = false;
  private readonly opts: ResolvedOptions;
  private readonly listeners: Array<[string, (...args: any[]) => void]>;
  failure: NodeJS.ErrnoException | undefined;
  /** A stream opened by path that has not opened yet. */
  private opening = false;

  /**
   * With `untilStopped`, the source is not done at the end of the stream but only once {@link stop} is
   * called: a followed file whose content is read once (a /proc file, a device: GNU tail prints it and
   * waits). With `next` too, the end of the stream is only the end of its start: what `start` asks for
   * (the last N lines…) is emitted then, and everything `next()` gives after it (a followed FIFO, whose
   * later writers GNU tail reads too).
   */
  constructor(
    name: string,
    stream: Readable,
    opts: ResolvedOptions,
    host: SourceHost,
    { untilStopped = false, next, start = opts.start }: { untilStopped?: boolean; next?: () => Readable; start?: StartPosition } = {},
  ) {
    this.name = name;
    this.untilStopped = untilStopped;
    this.next = untilStopped ? next : undefined;
    this.stream = stream;
    this.opts = opts;
    this.host = host;
    this.start0 = start;
    this.skipBytes = start && 'fromByte' in start ? Math.max(start.fromByte, 1) - 1 : 0;
    this.framer = this.makeFramer(0, start && 'fromLine' in start ? Math.max(start.fromLine, 1) - 1 : 0);
    // Opened by path (fs.createReadStream): until it has opened, a failure is one to open it.
    if (stream instanceof ReadStream && stream.pending) {
      this.opening = true;
      stream.once('open', () => (this.opening = false));
    }
    this.listeners = [
      ['readable', () => this.wake()],
      ['end', () => this.onEnd()],
      ['error', (error: NodeJS.ErrnoException) => this.onError(error)],
    ];
  }

  get ready(): boolean {
    return !this.closed && (this.readable || this.out.length > 0 || (this.ended && !this.finished));
  }

  get done(): boolean {
    return this.finished && this.out.length === 0 && (!this.untilStopped || this.stopped || this.givenUp);
  }

  /** Failed, and nothing will make it readable: only following by name (or --retry) waits on. */
  private get givenUp(): boolean {
    return this.failure !== undefined && this.opts.follow === 'descriptor' && !this.opts.retry;
  }

  get catchingUp(): boolean {
    return false;
  }

  readonly startedEmpty = false;

  /** Streams cannot be resumed: no checkpoint origin. */
  readonly origin = undefined;

  get bufferedBytes(): number {
    return this.framer.bufferedBytes + this.tailByteCount + this.stream.readableLength;
  }

  async start(): Promise<void> {
    for (const [event, fn] of this.listeners) this.stream.on(event, fn);
    if (this.stream.readableEnded) this.onEnd();
    else this.readable = true;
  }

  poll(): void {}

  /**
   * A stream has no "now" to stop at: it is read to its end as always (and then ends, if it waited for
   * this). One that would never end by itself (a followed FIFO or device, `--pid`): what it has is read,
   * and it ends once a turn of the event loop brought nothing more.
   */
  stop(): void {
    this.stopped = true;
    // Read for what it has: the pull that finds nothing more looks for quiet (see endWhenQuiet).
    if (this.untilStopped) this.readable = true;
    this.host.notify();
  }

  /** A look for quiet is under way (see {@link endWhenQuiet}). */
  private quietCheck = false;

  /**
   * Stopped, the stream read to nothing more for now: it ends if nothing more comes to it in a turn of
   * the event loop (two `setImmediate`s: a poll phase between them, where what the kernel holds is
   * read). If something came, the pull that reads it finds nothing more again, and looks again.
   */
  private endWhenQuiet(): void {
    if (this.quietCheck) return;
    this.quietCheck = true;
    const seen = this.position;
    setImmediate(() =>
      setImmediate(() => {
        this.quietCheck = false;
        if (this.closed || this.ended || this.readable || this.position !== seen) return;
        this.ended = true;
        this.host.notify();
      }),
    );
  }

  async pull(): Promise<Line[] | null> {
    if (this.closed) return null;
    const lines = this.out;
    this.out = [];
    const chunk: unknown = this.readable ? this.stream.read() : null;
    if (chunk === null) {
      this.readable = false;
      if (this.stopped && this.untilStopped && !this.ended) this.endWhenQuiet();
      if (this.ended && !this.finished) this.finish(lines);
      if (this.finished && this.next && !this.stopped && this.failure === undefined) this.readOn(this.next);
    } else {
      this.accept(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer), lines);
    }
    return lines.length > 0 ? lines : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [event, fn] of this.listeners) this.stream.off(event, fn);
    // Like Node's own stream iterator: a stream read through to us is ours to release.
    if (!this.stream.destroyed) this.stream.destroy();
  }

  private accept(chunk: Buffer, lines: Line[]): void {
    if (this.skipBytes > 0) {
      const skipped = Math.min(this.skipBytes, chunk.length);
      this.skipBytes -= skipped;
      this.position += skipped;
      chunk = chunk.subarray(skipped);
      this.framer.position = this.position;
      if (chunk.length === 0) return;
    }
    this.position += chunk.length;
    const start = this.start0;
    if (start && 'bytes' in start) {
      this.keepLastBytes(chunk, start.bytes);
    } else if (start && 'lines' in start) {
      const from = this.window.length;
      this.framer.push(chunk, this.window);
      for (let i = from; i < this.window.length; i++) this.windowBytes += this.window[i]!.end - this.window[i]!.offset;
      // Trimmed now and then, not at every chunk; also by bytes, since lines may be as long as
      // maxLineBytes each (a stream without newlines, /dev/zero): memory stays bounded for any stream.
      if (this.window.length > 2 * start.lines + 1024 || (this.windowBytes > WINDOW_BYTES && this.window.length > start.lines)) {
        this.window.splice(0, this.window.length - start.lines);
        this.windowBytes = this.window.reduce((n, line) => n + line.end - line.offset, 0);
      }
    } else {
      this.framer.push(chunk, lines);
      if (this.opts.partialLines) this.framer.release(lines);
    }
  }

  private keepLastBytes(chunk: Buffer, limit: number): void {
    if (limit === 0) return;
    this.tailBytes.push(chunk);
    this.tailByteCount += chunk.length;
    while (this.tailBytes.length > 1 && this.tailByteCount - this.tailBytes[0]!.length >= limit) {
      this.tailByteCount -= this.tailBytes.shift()!.length;
    }
  }

  private finish(lines: Line[]): void {
    const start = this.start0;
    if (start && 'bytes' in start) {
      let data = Buffer.concat(this.tailBytes, this.tailByteCount);
      data = data.subarray(Math.max(data.length - start.bytes, 0));
      this.tailBytes = [];
      this.tailByteCount = 0;
      const framer = this.makeFramer(this.position - data.length, 0);
      framer.push(data, lines);
      framer.flush(lines);
    } else if (start && 'lines' in start) {
      this.framer.flush(this.window);
      const keep = start.lines === 0 ? [] : this.window.slice(-start.lines);
      for (const line of keep) lines.push(line);
      this.window = [];
      this.windowBytes = 0;
    } else {
      this.framer.flush(lines);
    }
    this.finished = true;
  }

  /**
   * The start is emitted: read on from the stream `next` gives, everything it gives, in the framer that
   * holds the unfinished line (if the stream cannot be had, the source ends as it would have).
   */
  private readOn(next: () => Readable): void {
    let stream: Readable;
    try {
      stream = next();
    } catch (error) {
      this.onError(error as NodeJS.ErrnoException);
      return;
    }
    for (const [event, fn] of this.listeners) this.stream.off(event, fn);
    if (!this.stream.destroyed) this.stream.destroy();
    this.stream = stream;
    this.start0 = undefined;
    this.ended = false;
    this.finished = false;
    for (const [event, fn] of this.listeners) this.stream.on(event, fn);
    this.readable = true;
  }

  private makeFramer(startOffset: number, skipLines: number): Framer {
    return new Framer({
      source: this.name,
      delimiter: this.opts.delimiter,
      maxLineBytes: this.opts.maxLineBytes,
      overlong: this.opts.overlong,
      encoding: this.opts.encoding,
      startOffset,
      skipLines,
      onTooLong: (offset) =>
        this.opts.onNotice(notices.lineTooLong(this.name, offset, this.opts.overlong, this.opts.maxLineBytes)),
    });
  }

  private wake(): void {
    this.readable = true;
    this.host.notify();
  }

  private onEnd(): void {
    this.ended = true;
    this.host.notify();
  }

  private onError(error: NodeJS.ErrnoException): void {
    // A device or socket opened by path fails in its open, before anything is read: GNU's words for that.
    this.opts.onNotice(this.opening ? notices.cannotOpen(this.name, error) : notices.readError(this.name, error));
    this.failure = error;
    this.ended = true;
    this.host.notify();
  }
}
