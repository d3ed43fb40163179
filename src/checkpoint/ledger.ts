import { stat } from 'node:fs/promises';
import { closeSync, fstatSync, type Stats } from 'node:fs';
import { openByIdentity } from '../sources/find-file.js';
import type { Origin, ResumePoint, Resumer } from '../sources/resume.js';
import { MAX_ENTRIES, newest, type CheckpointEntry } from './state.js';
import { contentMatches, fingerprint, stillMatches } from './fingerprint.js';
import { rotatedSiblings, type Storage } from '../history/siblings.js';
import { loadCheckpoint, saveCheckpoint } from './store.js';
import { removeLeftoverTemps } from './temp-file.js';
import { resolvePath } from './paths.js';
import { TailError } from '../errors.js';
import { describeErrno } from '../notices.js';
import { quoteAlways } from '../quote.js';

/** Entries of files not seen for this long are dropped from the state file. */
const RETENTION_MS = 7 * 24 * 3600 * 1000;
/** How stale the `seen` time of a file still followed may get before it is refreshed. */
const REFRESH_MS = 24 * 3600 * 1000;

/**
 * The checkpoint of a tail: what was delivered, file by file, loaded at the start and saved (at most
 * about once a second, and at the end) to a state file. It answers the followers' question "where do
 * I resume this file?" only when the file's identity and fingerprints still match. Files are known by
 * their resolved path (see `resolvePath`): however a name is spelled, one file has one entry.
 *
 * A save that fails is reported once, with the state file's name, and retried at every later save;
 * when one succeeds again, that is reported once too (`ERR_CHECKPOINT_RECOVERED`). Checkpointing is
 * never turned off.
 * @internal
 */
export class Ledger implements Resumer {
  /** The state file as given (for messages). */
  private readonly file: string;
  /** Where it is: resolved once, so that a change of working directory does not move it. */
  private readonly path: string;
  private readonly report: (error: TailError) => void;
  private entries: Map<string, CheckpointEntry>;
  /** Keys of the names files were opened under (one resolution per opened file). */
  private readonly keys = new WeakMap<Origin, string>();
  /** The last save failed (and that was reported). */
  private failing = false;
  /** Delivered positions not yet saved, by path. */
  private pending = new Map<string, { origin: Origin; point: ResumePoint }>();
  private saving: Promise<void> = Promise.resolve();
  /** Entries were updated since the last save. */
  private changed = false;
  /** The fingerprinting of a save under way (it reads through handles that must stay open meanwhile). */
  private fixing: Promise<void> = Promise.resolve();
  /** Entries whose file was found still at their name at the start (see {@link resumeAt}): not looked for elsewhere. */
  private readonly inPlace = new WeakSet<CheckpointEntry>();
  /** Files open now: their entries are kept fresh however long they stay quiet. */
  private readonly live = new Set<Origin>();

  private constructor(file: string, path: string, report: (error: TailError) => void, entries: Map<string, CheckpointEntry>) {
    this.file = file;
    this.path = path;
    this.report = report;
    this.entries = entries;
  }

  /**
   * Loads the state file. Entries not seen for the retention period are dropped, unless their file is
   * still there (a file that stayed quiet all that time still resumes where it was). Paths are resolved
   * as they are now keyed (state files of earlier versions hold them as typed, relative to the working
   * directory); of two entries that resolve alike, the one seen last is kept.
   */
  static async load(file: string, report: (error: TailError) => void): Promise<Ledger> {
    const now = Date.now();
    const where = resolvePath(file);
    const dirs = new Map<string, string>();
    const entries = new Map<string, CheckpointEntry>();
    for (const loaded of await loadCheckpoint(where, report, file)) {
      const entry = { ...loaded, path: resolvePath(loaded.path, undefined, dirs) };
      const other = entries.get(entry.path);
      if (other && other.seen >= entry.seen) continue;
      if (now - entry.seen < RETENTION_MS || (await stillThere(entry))) entries.set(entry.path, entry);
    }
    return new Ledger(file, where, report, entries);
  }

  /**
   * Where to resume the file just opened at `name`: the point of its entry when identity and
   * fingerprints match (also an entry of another path with this identity: renamed while stopped);
   * `'start'` when the name has an entry that no longer matches (truncated or replaced while stopped);
   * undefined when nothing is known of it.
   */
  async resumeAt(name: string, fd: number, st: Stats): Promise<ResumePoint | 'start' | undefined> {
    const own = this.entries.get(resolvePath(name));
    const candidates = [own, ...[...this.entries.values()].filter((e) => e !== own && e.dev === st.dev && e.ino === st.ino)];
    for (const entry of candidates) {
      if (!entry || entry.dev !== st.dev || entry.ino !== st.ino) continue;
      if (!(await stillMatches(fd, st.size, entry.offset, entry))) continue;
      if (entry === own) this.inPlace.add(own);
      return { offset: entry.offset, line: entry.line };
    }
    return own ? 'start' : undefined;
  }

  /**
   * When the file recorded for `name` is no longer at that name (rotated while stopped), finds it in the
   * same directory: by identity and fingerprints, or, when its identity is gone (rotated and compressed:
   * logrotate's `compress` writes a new file and deletes the old one), among the name's compressed
   * siblings, newest first, by the fingerprints of their decompressed content. Its path, how it is
   * stored, and where to resume it.
   */
  async movedAway(name: string, current: Stats | undefined): Promise<{ path: string; point: ResumePoint; storage: Storage } | undefined> {
    const entry = this.entries.get(resolvePath(name));
    if (!entry || this.inPlace.has(entry)) return undefined;
    const point = { offset: entry.offset, line: entry.line };
    const found = openByIdentity([name], entry.dev, entry.ino);
    if (found) {
      try {
        const st = fstatSync(found.fd);
        // Still at the name: it resumes there (see resumeAt).
        if (await stillMatches(found.fd, st.size, entry.offset, entry)) return current && sameFile(st, current) ? undefined : { path: found.path, point, storage: 'plain' };
      } finally {
        closeSync(found.fd);
      }
    }
    // Gone, or its inode number is another file's now (numbers are reused once a file is deleted: the
    // file logrotate compressed and removed, or a copytruncate's, may have left its number to the new one).
    return this.compressedAway(name, entry);
  }

  /** The compressed sibling of `name` whose content is the entry's file, if any (see {@link movedAway}). */
  private async compressedAway(name: string, entry: CheckpointEntry): Promise<{ path: string; point: ResumePoint; storage: Storage } | undefined> {
    // An entry of a file that was empty then holds nothing to recognise it by.
    if (entry.headLength === 0) return undefined;
    for (const sibling of rotatedSiblings(name).reverse()) {
      const storage = sibling.storage;
      if (storage === 'gzip' || storage === 'zstd') {
        if (await contentMatches(sibling.path, storage, entry.offset, entry)) return { path: sibling.path, point: { offset: entry.offset, line: entry.line }, storage };
      }
    }
    return undefined;
  }

  knows(name: string): boolean {
    return this.entries.has(resolvePath(name));
  }

  /** Lines of `origin` up to `point` were delivered. */
  record(origin: Origin, point: ResumePoint): void {
    this.live.add(origin);
    this.pending.set(this.keyOf(origin), { origin, point });
    this.onRecord?.();
  }

  /** Called after every record (the delivery tracker schedules saves with it). */
  onRecord: (() => void) | undefined;

  started(origin: Origin, point: ResumePoint): void {
    this.record(origin, point);
  }

  /** Set by the delivery tracker: applies a mark once every line handed out so far is delivered. */
  onAfterDelivered: ((origin: Origin, point: ResumePoint) => void) | undefined;

  /** Without a tracker that can tell (see {@link onAfterDelivered}), the file's own first delivered line moves its entry. */
  startedAfterDelivered(origin: Origin, point: ResumePoint): void {
    this.onAfterDelivered?.(origin, point);
  }

  /**
   * Fingerprints the delivered positions (through the handles they were read with) and saves. Never
   * rejects: a failure is reported (once until a save succeeds again), and the next save tries again.
   */
  save(): Promise<void> {
    this.saving = this.saving.then(() => this.attempt());
    return this.saving;
  }

  /** Fingerprints the delivered positions read through `origin`'s handle now, before it is closed. */
  async settle(origin: Origin): Promise<void> {
    // A save may be fingerprinting through this very handle: let it finish first.
    await this.fixing;
    this.live.delete(origin);
    for (const [name, entry] of this.pending) {
      if (entry.origin !== origin) continue;
      this.pending.delete(name);
      await this.fix(name, entry.origin, entry.point);
    }
  }

  private async attempt(): Promise<void> {
    try {
      // A failed save may have left a temp file it could not remove (its directory made read-only):
      // removed as soon as it can be (the tail holds the state file's lock, so no other run writes one).
      if (this.failing) await removeLeftoverTemps(this.path);
      await this.write();
    } catch (error) {
      // Until a save succeeds, every save writes again, even with nothing new delivered.
      this.changed = true;
      if (!this.failing) this.report(this.saveError(error));
      this.failing = true;
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.report(new TailError(`state file ${quoteAlways(this.file)} can be written again`, { code: 'ERR_CHECKPOINT_RECOVERED', source: this.file }));
    }
  }

  private saveError(error: unknown): TailError {
    const reason = describeErrno(error as NodeJS.ErrnoException);
    return new TailError(`cannot write state file ${quoteAlways(this.file)}: ${reason}`, { code: 'ERR_CHECKPOINT_WRITE', source: this.file, cause: error });
  }

  private async write(): Promise<void> {
    const pending = this.pending;
    this.refreshLive();
    if (pending.size === 0 && !this.changed) return;
    this.pending = new Map();
    this.changed = false;
    this.fixing = (async () => {
      for (const [name, { origin, point }] of pending) await this.fix(name, origin, point);
    })();
    await this.fixing;
    // Bounded like what is loaded: beyond the limit, the entries seen longest ago go.
    if (this.entries.size > MAX_ENTRIES) this.entries = new Map(newest([...this.entries.values()], MAX_ENTRIES).map((e) => [e.path, e]));
    await saveCheckpoint(this.path, [...this.entries.values()]);
  }

  /** Turns a delivered position into an entry, fingerprinting the file through the handle it was read with. */
  private async fix(name: string, origin: Origin, point: ResumePoint): Promise<void> {
    try {
      const print = await origin.use(async (fd) => fingerprint(fd, point.offset, fstatSync(fd).size));
      this.entries.set(name, { path: name, dev: origin.dev, ino: origin.ino, offset: point.offset, line: point.line, ...print, seen: Date.now() });
      this.changed = true;
    } catch {
      // The file was closed meanwhile: its last saved entry stands (lines after it are read again).
    }
  }

  /**
   * Entries of files still followed are marked seen (at most once a day), so that a file quiet for
   * longer than the retention period keeps its entry; entries of files gone that long are forgotten, so
   * a long run over files that come and go keeps a bounded state.
   */
  private refreshLive(): void {
    const now = Date.now();
    const live = new Set<string>();
    for (const origin of this.live) {
      const key = this.keyOf(origin);
      live.add(key);
      const entry = this.entries.get(key);
      if (entry && entry.dev === origin.dev && entry.ino === origin.ino && now - entry.seen > REFRESH_MS) {
        this.entries.set(key, { ...entry, seen: now });
        this.changed = true;
      }
    }
    for (const [name, entry] of this.entries) {
      if (!live.has(name) && now - entry.seen >= RETENTION_MS) {
        this.entries.delete(name);
        this.changed = true;
      }
    }
  }

  /** The key of the name `origin` was read under. */
  private keyOf(origin: Origin): string {
    let key = this.keys.get(origin);
    if (key === undefined) this.keys.set(origin, (key = resolvePath(origin.source)));
    return key;
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** True when the entry's file is still at its path (same identity). */
async function stillThere(entry: CheckpointEntry): Promise<boolean> {
  const st = await stat(entry.path).catch(() => undefined);
  return st !== undefined && st.dev === entry.dev && st.ino === entry.ino;
}
