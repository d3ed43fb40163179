import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { CheckpointEntry } from './state.js';
import { fingerprint, stillMatches } from './fingerprint.js';
import { loadCheckpoint, saveCheckpoint } from './store.js';
import type { TailError } from '../errors.js';

/** The file a delivered line was read from: its name and the handle it was read through. @internal */
export interface Origin {
  readonly source: string;
  readonly dev: number;
  readonly ino: number;
  readonly handle: FileHandle;
}

/** Where to resume a file. @internal */
export interface ResumePoint {
  readonly offset: number;
  /** Number of the next line. */
  readonly line: number;
}

/** Entries of files not seen for this long are dropped from the state file. */
const RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * The checkpoint of a tail: what was delivered, file by file, loaded at the start and saved (at most
 * about once a second, and at the end) to a state file. It answers the followers' question "where do
 * I resume this file?" only when the file's identity and fingerprints still match.
 * @internal
 */
export class Ledger {
  private readonly file: string;
  private entries: Map<string, CheckpointEntry>;
  /** Delivered positions not yet saved, by path. */
  private pending = new Map<string, { origin: Origin; point: ResumePoint }>();
  private saving: Promise<void> = Promise.resolve();
  /** Entries were updated since the last save. */
  private changed = false;
  /** The fingerprinting of a save under way (it reads through handles that must stay open meanwhile). */
  private fixing: Promise<void> = Promise.resolve();

  private constructor(file: string, entries: CheckpointEntry[]) {
    this.file = file;
    const now = Date.now();
    this.entries = new Map(entries.filter((e) => now - e.seen < RETENTION_MS).map((e) => [e.path, e]));
  }

  static async load(file: string, report: (error: TailError) => void): Promise<Ledger> {
    return new Ledger(file, await loadCheckpoint(file, report));
  }

  /**
   * Where to resume the file just opened at `name`: the point of its entry when identity and
   * fingerprints match (also an entry of another path with this identity: renamed while stopped);
   * `'start'` when the name has an entry that no longer matches (truncated or replaced while stopped);
   * undefined when nothing is known of it.
   */
  async resumeAt(name: string, handle: FileHandle, st: Stats): Promise<ResumePoint | 'start' | undefined> {
    const own = this.entries.get(name);
    const candidates = [own, ...[...this.entries.values()].filter((e) => e !== own && e.dev === st.dev && e.ino === st.ino)];
    for (const entry of candidates) {
      if (!entry || entry.dev !== st.dev || entry.ino !== st.ino) continue;
      if (await stillMatches(handle, st.size, entry.offset, entry)) return { offset: entry.offset, line: entry.line };
    }
    return own ? 'start' : undefined;
  }

  /**
   * When the file recorded for `name` is no longer at that name (rotated while stopped), finds it in the
   * same directory by identity and fingerprints: its path and where to resume it.
   */
  async movedAway(name: string, current: Stats | undefined): Promise<{ path: string; point: ResumePoint } | undefined> {
    const entry = this.entries.get(name);
    if (!entry || (current && current.dev === entry.dev && current.ino === entry.ino)) return undefined;
    const dir = path.dirname(name);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return undefined;
    }
    for (const candidate of names) {
      const full = path.join(dir, candidate);
      const st = await stat(full).catch(() => undefined);
      if (!st || !st.isFile() || st.dev !== entry.dev || st.ino !== entry.ino) continue;
      const handle = await open(full, 'r').catch(() => undefined);
      if (!handle) return undefined;
      try {
        if (await stillMatches(handle, st.size, entry.offset, entry)) return { path: full, point: { offset: entry.offset, line: entry.line } };
      } finally {
        await handle.close();
      }
      return undefined;
    }
    return undefined;
  }

  /** Lines of `origin` up to `point` were delivered. */
  record(origin: Origin, point: ResumePoint): void {
    this.pending.set(origin.source, { origin, point });
    this.onRecord?.();
  }

  /** Called after every record (the delivery tracker schedules saves with it). */
  onRecord: (() => void) | undefined;

  started(origin: Origin, point: ResumePoint): void {
    this.record(origin, point);
  }

  /** Fingerprints the delivered positions (through the handles they were read with) and saves. */
  save(): Promise<void> {
    this.saving = this.saving.then(() => this.write(), () => this.write());
    return this.saving;
  }

  /** Fingerprints the delivered positions read through `origin`'s handle now, before it is closed. */
  async settle(origin: Origin): Promise<void> {
    // A save may be fingerprinting through this very handle: let it finish first.
    await this.fixing;
    for (const [name, entry] of this.pending) {
      if (entry.origin.handle !== origin.handle) continue;
      this.pending.delete(name);
      await this.fix(name, entry.origin, entry.point);
    }
  }

  private async write(): Promise<void> {
    const pending = this.pending;
    if (pending.size === 0 && !this.changed) return;
    this.pending = new Map();
    this.changed = false;
    this.fixing = (async () => {
      for (const [name, { origin, point }] of pending) await this.fix(name, origin, point);
    })();
    await this.fixing;
    await saveCheckpoint(this.file, [...this.entries.values()]);
  }

  /** Turns a delivered position into an entry, fingerprinting the file through the handle it was read with. */
  private async fix(name: string, origin: Origin, point: ResumePoint): Promise<void> {
    try {
      const st = await origin.handle.stat();
      const print = await fingerprint(origin.handle, point.offset, st.size);
      this.entries.set(name, { path: name, dev: origin.dev, ino: origin.ino, offset: point.offset, line: point.line, ...print, seen: Date.now() });
      this.changed = true;
    } catch {
      // The file was closed meanwhile: its last saved entry stands (lines after it are read again).
    }
  }

}
