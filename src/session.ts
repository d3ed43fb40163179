import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';
import type { Line } from './lines/line.js';
import { DEFAULT_FILE_START, type ResolvedOptions } from './options.js';
import { TailError } from './errors.js';
import { notices } from './notices.js';
import { DirWatch } from './sources/dir-watch.js';
import { FileFollower } from './sources/file-follower.js';
import { StreamSource } from './sources/stream-source.js';
import type { Source, SourceHost } from './sources/source.js';

/** A source as given to the session: a path, or a named stream. @internal */
export type SourceSpec = { readonly path: string } | { readonly name: string; readonly stream: Readable };

/**
 * Owns everything a tail needs while it runs: the sources, the directory watches and the safety poll.
 * It hands out one batch of lines per `nextBatch()`: selections first, in the order the sources were
 * given (so multi-file output reads like GNU tail's), then round robin, one read per source per turn,
 * so a busy file cannot starve a quiet one. Nothing is read until a batch is asked for.
 * @internal
 */
export class Session implements SourceHost {
  private readonly specs: readonly SourceSpec[];
  private readonly opts: ResolvedOptions;
  private sources: Source[] = [];
  private watch: DirWatch | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private waiter: (() => void) | undefined;
  private signalled = false;
  private next = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(specs: readonly SourceSpec[], opts: ResolvedOptions) {
    this.specs = specs;
    this.opts = opts;
  }

  /** Opens every source (reading nothing yet but what locating the start position needs). */
  async open(): Promise<void> {
    const following = this.opts.follow !== false;
    if (this.opts.follow === 'name' && !this.opts.poll) this.watch = new DirWatch();
    for (const spec of this.specs) {
      if (this.closed) return;
      const source = await this.createSource(spec);
      this.sources.push(source);
      await source.start();
    }
    if (following && !this.closed && this.sources.some((s) => s instanceof FileFollower)) {
      this.pollTimer = setInterval(() => this.poll(), this.opts.pollInterval);
    }
  }

  /** The next batch of lines, or null once every source has ended (or the session was closed). */
  async nextBatch(): Promise<Line[] | null> {
    for (;;) {
      if (this.closed) return null;
      this.signalled = false;
      const source = this.pick();
      if (source) {
        let lines: Line[] | null;
        try {
          lines = await source.pull();
        } catch (error) {
          if (this.closed) return null;
          throw new TailError(`error reading '${source.name}': ${(error as Error).message}`, {
            code: (error as NodeJS.ErrnoException).code ?? 'EIO',
            source: source.name,
            cause: error,
          });
        }
        if (lines && lines.length > 0) return lines;
        continue;
      }
      if (this.sources.every((s) => s.done)) {
        this.throwIfFailed();
        return null;
      }
      await this.wait();
    }
  }

  /** Bytes held by the sources for unfinished lines. */
  get bufferedBytes(): number {
    let n = 0;
    for (const s of this.sources) n += s.bufferedBytes;
    return n;
  }

  notify(): void {
    this.signalled = true;
    const wake = this.waiter;
    this.waiter = undefined;
    wake?.();
  }

  /** Closes every source, watch and timer. Idempotent; resolves when all is released. */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.watch?.close();
    this.notify();
    const results = await Promise.allSettled(this.sources.map((s) => s.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The source to read next: the first one still reading its selection, else the next ready one in turn. */
  private pick(): Source | undefined {
    const sources = this.sources;
    for (const s of sources) {
      if (s.catchingUp && s.ready) return s;
    }
    for (let i = 0; i < sources.length; i++) {
      const index = (this.next + i) % sources.length;
      const s = sources[index]!;
      if (s.ready) {
        this.next = index + 1;
        return s;
      }
    }
    return undefined;
  }

  private wait(): Promise<void> {
    if (this.signalled) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private poll(): void {
    this.watch?.revalidate();
    for (const s of this.sources) s.poll();
  }

  private throwIfFailed(): void {
    const failed = this.sources.filter((s) => s.failure !== undefined);
    const first = failed[0];
    if (!first?.failure) return;
    const err = first.failure;
    const what = notices.cannotOpen(first.name, err).message;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
    throw new TailError(what + more, { code: err.code ?? 'EIO', source: first.name, cause: err });
  }

  private async createSource(spec: SourceSpec): Promise<Source> {
    if ('stream' in spec) return new StreamSource(spec.name, spec.stream, this.opts, this);
    if (spec.path === '-') return new StreamSource('-', process.stdin, this.opts, this);
    // FIFOs and devices cannot be read by position: read them as streams.
    const st = await stat(spec.path).catch(() => undefined);
    if (st && !st.isFile() && !st.isDirectory()) {
      return new StreamSource(spec.path, createReadStream(spec.path), this.opts, this);
    }
    return new FileFollower(spec.path, this.opts, this, this.watch, this.opts.start ?? DEFAULT_FILE_START);
  }
}
