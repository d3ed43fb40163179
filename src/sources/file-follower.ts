import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { statSync, type Stats } from 'node:fs';
import type { Line } from '../lines/line.js';
import type { ResolvedOptions, StartPosition } from '../options.js';
import { notices, type Notice } from '../notices.js';
import { Generation, REWRITTEN, type GenerationContext } from './generation.js';
import { startPoint, type StartPoint } from './start-position.js';
import { fdReader } from './read-at.js';
import type { FileHandle } from 'node:fs/promises';
import type { Origin } from './resume.js';
import type { DirWatch, HintEvent } from './dir-watch.js';
import type { Source, SourceHost } from './source.js';
import { Retiring } from './retiring.js';

/** A re-check this long after the last read that returned bytes catches writes no event announced. */
const TRAILING_RECHECK_MS = 60;

/**
 * Follows one path. It holds one {@link Generation} for the file now at the path and, after a rotation
 * or deletion, keeps the old ones ("retiring") until they have been quiet for `rotateWait`; old files
 * are always read before the new one. Events only mark it dirty; every look re-checks the file itself.
 * @internal
 */
export class FileFollower implements Source {
  readonly name: string;
  private readonly opts: ResolvedOptions;
  private readonly host: SourceHost;
  private readonly watch: DirWatch | undefined;
  private readonly start0: StartPosition;
  /** What every generation of this name shares: framing, read size, the open-file cap. */
  private readonly context: GenerationContext;
  private current: Generation | undefined;
  private readonly retiring: Retiring;
  /** Lines produced outside a read (partial lines flushed when a file is closed or truncated). */
  private out: Line[] = [];
  private dirty = false;
  /** The next pass looks at the name and the file before reading (see {@link hint}). */
  private needsLook = true;
  private lookedThisPass = true;
  private draining = false;
  private finished = false;
  private closed = false;
  /** Last condition reported for the name, so a lasting one is reported once. */
  private reported: 'ok' | 'missing' | 'gone' = 'ok';
  private unsubscribe: (() => void) | undefined;
  /** The file's own path when the name is a link to it, or (by descriptor) the path it was opened at. */
  private targetPath: string | undefined;
  private unsubscribeTarget: (() => void) | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private readBytesThisPass = false;
  private givenUp = false;
  failure: NodeJS.ErrnoException | undefined;
  origin: Origin | undefined;

  /** Found by a glob: once the file is gone and released, the follower ends (the glob finds it again). */
  readonly discovered: boolean;
  private stopping = false;

  constructor(
    path: string,
    opts: ResolvedOptions,
    host: SourceHost,
    watch: DirWatch | undefined,
    start: StartPosition,
    discovered = false,
  ) {
    this.name = path;
    this.opts = opts;
    this.host = host;
    this.watch = watch;
    this.start0 = start;
    this.discovered = discovered;
    this.retiring = new Retiring(opts.rotateWait, () => this.hint());
    this.context = {
      framing: {
        source: this.name,
        delimiter: this.opts.delimiter,
        maxLineBytes: this.opts.maxLineBytes,
        overlong: this.opts.overlong,
        encoding: this.opts.encoding,
        blocks: this.opts.blocks,
        prefilter: this.opts.prefilter,
        onTooLong: (offset: number) =>
          this.report(notices.lineTooLong(this.name, offset, this.opts.overlong, this.opts.maxLineBytes)),
      },
      readSize: this.opts.readSize,
      pool: this.host.pool,
      onLost: () => this.report(notices.lostWhileParked(this.name)),
      readBuffer: (size) => this.host.readBuffer(size),
    };
  }

  get ready(): boolean {
    // A hint that arrives while the follower finishes must not make a finished follower look busy.
    return !this.closed && (this.out.length > 0 || (!this.finished && (this.dirty || this.draining)));
  }

  get done(): boolean {
    return this.finished && this.out.length === 0;
  }

  get catchingUp(): boolean {
    const gen = this.current;
    return gen !== undefined && !gen.atEof && gen.offset < gen.initialSize && this.retiring.size === 0;
  }

  get bufferedBytes(): number {
    let n = this.current?.framer.bufferedBytes ?? 0;
    for (const gen of this.retiring.files) n += gen.framer.bufferedBytes;
    return n;
  }

  async start(): Promise<void> {
    try {
      const gen = await this.openGeneration(true);
      if (this.closed) return void (await gen.dispose());
      this.current = gen;
      this.draining = true;
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      this.report(notices.cannotOpen(this.name, err));
      if (this.opts.follow !== 'name' || err.code === 'EISDIR') {
        this.failure = err;
        this.finished = true;
        return;
      }
      this.reported = 'missing';
    }
    if (this.opts.follow === 'name') {
      this.unsubscribe = this.watch?.subscribe(this.name, (event) => this.hint(event));
    }
    await this.watchTarget();
    await this.resumeMovedAway();
    // Until its first line is delivered, a file resumes where this run began reading it: a crash
    // before then must not make the next run start at its last 10 lines and skip the rest.
    const gen = this.current;
    if (gen && this.retiring.size === 0) this.host.resumer?.started(gen.origin, { offset: gen.offset, line: gen.framer.lineNumber });
  }

  /**
   * Watches the directory of the file itself when it is not the name's: a symbolic link to a file
   * elsewhere (Kubernetes' /var/log/containers), or, by descriptor, the file as it was opened. Without
   * it, appends there would be seen only by the safety poll.
   */
  private async watchTarget(): Promise<void> {
    if (!this.watch || this.opts.follow === false || !this.current) return;
    const target = await realpath(this.name).catch(() => undefined);
    if (target === this.targetPath || this.closed) return;
    this.unsubscribeTarget?.();
    this.unsubscribeTarget = undefined;
    this.targetPath = target;
    const isName = target === undefined || target === path.resolve(this.name);
    if (target !== undefined && (!isName || this.opts.follow === 'descriptor')) {
      this.unsubscribeTarget = this.watch.subscribe(target, (event) => this.hint(event));
    }
  }

  /**
   * The safety poll, for what no watch event announced (NFS, FUSE, missed events). It costs two
   * synchronous stats per file and wakes the follower only when something looks different, so that a
   * thousand quiet files cost almost nothing.
   */
  poll(): void {
    if (this.opts.follow === false || this.closed || this.finished || this.dirty || this.draining) return;
    if (this.retiring.size > 0 || this.looksChanged()) this.hint();
  }

  private looksChanged(): boolean {
    const gen = this.current;
    if (this.opts.follow !== 'name') return gen?.looksChanged() ?? false;
    const st = statSync(this.name, { throwIfNoEntry: false });
    if (!gen) return st !== undefined;
    return st === undefined || !gen.isSameFile(st) || gen.looksChanged(st);
  }

  stop(): void {
    this.stopping = true;
    this.hint();
  }

  async pull(): Promise<Line[] | null> {
    if (this.closed || this.finished) {
      this.origin = undefined;
      return this.take();
    }
    if (this.dirty) {
      this.dirty = false;
      this.draining = true;
      this.lookedThisPass = this.needsLook;
      if (this.needsLook) {
        this.needsLook = false;
        await this.check();
        if (this.closed) return null;
      }
    }
    // Lines flushed outside a read (held partial lines of a file closed or truncated) go out on their
    // own: they have no origin a checkpoint could resume from.
    const flushed = this.take();
    this.origin = undefined;
    if (flushed) return flushed;
    const lines: Line[] = [];
    for (const gen of [...this.retiring.files, this.current]) {
      if (gen === undefined) continue;
      let n: number;
      try {
        n = await gen.read(lines);
      } catch (error) {
        if (this.closed) return null;
        await this.dropUnreadable(gen, error as NodeJS.ErrnoException, lines);
        continue;
      }
      if (n === REWRITTEN) {
        await this.restart(gen);
        return lines;
      }
      if (n > 0) {
        this.readBytesThisPass = true;
        this.origin = gen.origin;
        return lines;
      }
    }
    // Every file is read to its end. Reached after reading only: look at the name and the file now
    // (a truncation reads as nothing more at the old position).
    if (!this.lookedThisPass) {
      this.hint();
      return lines.length > 0 ? lines : null;
    }
    this.draining = false;
    if (this.opts.follow === false || this.stopping) {
      await this.finish(lines);
    } else {
      await this.retiring.releaseQuiet((gen) => this.release(gen, lines));
      const released = this.retiring.size === 0 && !this.current;
      // Nothing left to read and nothing to wait for: given up, a glob's file gone, or (by descriptor) its file lost.
      const over = this.givenUp || this.opts.follow === 'descriptor' || (this.discovered && this.reported === 'gone');
      if (released && over) this.finished = true;
      else this.scheduleRecheck();
    }
    return lines.length > 0 ? lines : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribeTarget?.();
    clearTimeout(this.recheckTimer);
    const gens = [...this.retiring.takeAll(), this.current];
    this.current = undefined;
    await Promise.allSettled(gens.map((gen) => gen?.dispose()));
  }

  /** Notices stop with `close()`: an operation cut short by closing is not news to anyone. */
  private report(notice: Notice): void {
    if (!this.closed) this.opts.onNotice(notice);
  }

  /**
   * Something may have changed. A `change` event (data written) only makes the follower read: the name
   * and the file are looked at (truncation, rotation) once the read reaches the end, so new lines go out
   * without waiting for those looks. Anything else (a rename, a timer, the poll) looks first.
   */
  private hint(event?: HintEvent): void {
    if (this.closed || this.finished) return;
    if (event !== 'change') this.needsLook = true;
    this.dirty = true;
    this.host.notify();
  }

  private take(): Line[] | null {
    if (this.out.length === 0) return null;
    const lines = this.out;
    this.out = [];
    return lines;
  }

  private async openGeneration(initial: boolean): Promise<Generation> {
    const place = initial ? (handle: FileHandle, st: Stats) => this.initialPlace(handle, st) : undefined;
    return Generation.open(this.name, this.context, place);
  }



  /** Where the file opened at the start is read from: its checkpoint, else the start position. */
  private async initialPlace(handle: FileHandle, st: Stats): Promise<StartPoint> {
    const resumed = await this.host.resumer?.resumeAt(this.name, handle.fd, st);
    if (resumed === 'start') return { offset: 0, skipLines: 0, firstLineNumber: 1 };
    if (resumed) return { offset: resumed.offset, skipLines: 0, firstLineNumber: resumed.line };
    return startPoint(fdReader(handle.fd), st.size, this.start0, this.opts.delimiter);
  }

  /**
   * With a checkpoint, the file last read under this name may have been rotated away while tail-async
   * was stopped: its rest is read first, like any rotated file, then the new one from its start.
   */
  private async resumeMovedAway(): Promise<void> {
    const resumer = this.host.resumer;
    if (!resumer || this.opts.follow === 'descriptor') return;
    const current = this.current;
    const st = current ? await current.stat().catch(() => undefined) : undefined;
    const moved = await resumer.movedAway(this.name, st);
    if (!moved || this.closed) return;
    const old = await Generation.open(moved.path, this.context, async () => ({
      offset: moved.point.offset,
      skipLines: 0,
      firstLineNumber: moved.point.line,
    })).catch(() => undefined);
    if (!old) return;
    if (this.closed) return void (await old.dispose());
    this.retiring.add(old);
    this.draining = true;
  }

  /** Looks at the name and the open file: truncation, rotation, deletion, appearance. */
  private async check(): Promise<void> {
    if (this.givenUp) return;
    const gen = this.current;
    if (gen) {
      let truncated: boolean;
      try {
        truncated = await gen.wasTruncated();
      } catch (error) {
        this.report(notices.readError(this.name, error as NodeJS.ErrnoException));
        truncated = false;
      }
      if (truncated) await this.restart(gen);
    }
    if (this.opts.follow !== 'name') return;

    let st: Stats | undefined;
    let statError: NodeJS.ErrnoException | undefined;
    try {
      st = await stat(this.name);
    } catch (error) {
      statError = error as NodeJS.ErrnoException;
    }
    if (this.current && st && this.current.isSameFile(st)) {
      this.reported = 'ok';
      return;
    }
    if (this.current) {
      const old = this.current;
      this.current = undefined;
      if (st) {
        this.report(notices.replaced(this.name));
      } else {
        const links = await old.linkCount().catch(() => 0);
        this.report(links === 0 ? notices.deleted(this.name) : notices.inaccessible(this.name, statError!));
        this.reported = 'gone';
      }
      this.retiring.add(old);
    }
    if (!st) return;
    if (!st.isFile()) {
      this.giveUpUntailable();
      return;
    }
    try {
      const fresh = await this.openGeneration(false);
      if (this.closed) return void (await fresh.dispose());
      this.current = fresh;
      await this.watchTarget();
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      if (this.reported === 'ok') this.report(notices.inaccessible(this.name, err));
      this.reported = 'gone';
      return;
    }
    if (this.reported !== 'ok') this.report(notices.appeared(this.name));
    this.reported = 'ok';
  }

  /** Truncated or rewritten in place: keep what was held, then read the file again from 0. */
  private async restart(gen: Generation): Promise<void> {
    this.report(notices.truncated(this.name));
    await gen.restart(this.out);
  }

  /**
   * A read failed (EIO, ESTALE on NFS…): report it and let go of that file; a name followed by name is
   * looked up again, so a file that comes back is read anew. Lines already read are kept.
   */
  private async dropUnreadable(gen: Generation, error: NodeJS.ErrnoException, out: Line[]): Promise<void> {
    this.report(notices.readError(this.name, error));
    if (gen === this.current) {
      this.current = undefined;
      this.reported = 'gone';
      if (this.opts.follow !== 'name') this.failure = error;
    } else {
      this.retiring.remove(gen);
    }
    await this.release(gen, out);
  }

  /** Closes a file that has been read to its end, after the checkpoint took what it needs from it. */
  private async release(gen: Generation, out: Line[]): Promise<void> {
    await this.host.resumer?.settle(gen.origin).catch(() => {});
    await gen.close(out).catch(() => {});
  }

  /** The name now leads to a directory or other untailable file: stop following the name. */
  private giveUpUntailable(): void {
    const err = Object.assign(new Error('untailable file'), { code: 'EISDIR' }) as NodeJS.ErrnoException;
    this.report(notices.cannotOpen(this.name, err));
    this.failure = err;
    this.givenUp = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** No follow, or stopped: emit the held lines, release the files, and end. */
  private async finish(out: Line[]): Promise<void> {
    const gens = [...this.retiring.takeAll(), this.current];
    this.current = undefined;
    for (const gen of gens) if (gen) await this.release(gen, out);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unsubscribeTarget?.();
    this.unsubscribeTarget = undefined;
    this.finished = true;
  }

  private scheduleRecheck(): void {
    if (!this.readBytesThisPass || this.recheckTimer !== undefined) return;
    this.readBytesThisPass = false;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      this.hint();
    }, TRAILING_RECHECK_MS);
  }
}
