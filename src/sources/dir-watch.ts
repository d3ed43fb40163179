import { watch, statSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { isRotatedName } from './rotated-name.js';
import { fromOsBytes, osPath } from '../os-path.js';

/**
 * Change hints for paths, from one `fs.watch` per directory (inotify on Linux). A hint only says
 * "this path may have changed": followers then look at the file themselves. A path whose directory does
 * not exist yet is watched through its nearest existing ancestor and moved down as directories appear.
 *
 * Why not chokidar here: measured on this machine, chokidar 5 sends no event for files created in a
 * directory that appeared after the watch started, and throttles `change` without a trailing event
 * (DESIGN.md). Plain directory watches are unthrottled, and everything they miss is caught by the
 * followers' own re-checks and safety poll.
 * @internal
 */
export class DirWatch {
  private readonly dirs = new Map<string, WatchedDir>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  /**
   * Calls `onHint` whenever `file` may have changed, until the returned function is called. With
   * `siblings`, also calls it (`'sibling'`) when an entry in a rotated-name form of the file's name
   * (`NAME.1`, `NAME-20261130`…) is created, removed or renamed, with what came right before (see
   * {@link SiblingEvent}).
   */
  subscribe(file: string, onHint: (event: HintEvent, sibling?: SiblingEvent) => void, options: { siblings?: boolean } = {}): () => void {
    const sub: Subscription = { file: path.resolve(file), onHint, dir: undefined, name: '', siblings: options.siblings === true };
    this.subscriptions.add(sub);
    this.attach(sub);
    return () => {
      this.subscriptions.delete(sub);
      this.detach(sub);
    };
  }

  /**
   * Calls `onHint` whenever an entry of directory `dir` may have been added, removed or changed (also
   * when `dir` itself appears), until the returned function is called.
   */
  subscribeDirectory(dir: string, onHint: (event: HintEvent) => void): () => void {
    return this.subscribe(path.join(dir, ANY_ENTRY), onHint);
  }

  /**
   * True when every entry event for `file` reaches its subscribers: its own directory is watched, and
   * that watch is not broken (an ancestor's watch, standing in until the directory exists, is not).
   */
  watching(file: string): boolean {
    const dir = this.dirs.get(path.dirname(path.resolve(file)));
    return dir !== undefined && !dir.broken;
  }

  /** Re-attaches watches whose directory vanished or was replaced (run from the safety poll). */
  revalidate(): void {
    for (const dir of [...this.dirs.values()]) {
      const ino = inodeOf(dir.path);
      if (ino === dir.ino && !dir.broken) continue;
      this.drop(dir);
      for (const sub of dir.subs) {
        sub.dir = undefined;
        this.attach(sub);
        sub.onHint('rewatch');
      }
    }
    // Subscriptions parked on an ancestor move down when their own directory exists now.
    for (const sub of this.subscriptions) {
      if (sub.dir && sub.dir.path !== path.dirname(sub.file) && inodeOf(path.dirname(sub.file)) !== undefined) {
        this.reattach(sub);
      }
    }
  }


  close(): void {
    this.closed = true;
    for (const dir of this.dirs.values()) dir.watcher.close();
    this.dirs.clear();
    this.subscriptions.clear();
  }

  private attach(sub: Subscription): void {
    if (this.closed) return;
    let target = path.dirname(sub.file);
    let name = path.basename(sub.file);
    for (;;) {
      const dir = this.dirs.get(target) ?? this.open(target);
      if (dir) {
        sub.dir = dir;
        sub.name = name;
        dir.subs.add(sub);
        return;
      }
      const parent = path.dirname(target);
      if (parent === target) return; // nothing to watch at all: the safety poll still covers it
      name = path.basename(target);
      target = parent;
    }
  }

  private detach(sub: Subscription): void {
    const dir = sub.dir;
    sub.dir = undefined;
    if (!dir) return;
    dir.subs.delete(sub);
    if (dir.subs.size === 0) this.drop(dir);
  }

  private reattach(sub: Subscription): void {
    this.detach(sub);
    this.attach(sub);
    sub.onHint('rewatch');
  }

  private open(dirPath: string): WatchedDir | undefined {
    const ino = inodeOf(dirPath);
    if (ino === undefined) return undefined;
    let watcher: FSWatcher;
    try {
      // Names as bytes: a name that is not valid UTF-8 must match the name followed (see os-path.ts).
      watcher = watch(osPath(dirPath), { persistent: true, encoding: 'buffer' });
    } catch {
      // ENOENT (raced), EACCES, or no inotify watches left: the safety poll still covers these paths.
      return undefined;
    }
    const dir: WatchedDir = { path: dirPath, ino, watcher, subs: new Set(), broken: false, lastEntry: undefined };
    watcher.on('change', (event, filename) => this.onEvent(dir, event === 'change' ? 'change' : 'rename', filename === null ? null : (typeof filename === 'string' ? filename : fromOsBytes(filename))));
    watcher.on('error', () => {
      dir.broken = true;
      for (const sub of dir.subs) sub.onHint('rewatch');
    });
    this.dirs.set(dirPath, dir);
    return dir;
  }

  private onEvent(dir: WatchedDir, event: HintEvent, filename: string | null): void {
    // The watched directory itself was removed or renamed: its watch is dead, so watch anew.
    if (filename === path.basename(dir.path) && inodeOf(dir.path) !== dir.ino) {
      dir.broken = true;
      this.revalidate();
      return;
    }
    // The entry event before this one: a rename makes two events in a row (the old name's, then the new
    // one's), with no other entry event of the directory in between (it is locked meanwhile).
    const after = dir.lastEntry;
    let watchedFile = filename === null;
    for (const sub of [...dir.subs]) {
      if (filename === sub.name) watchedFile = true;
      if (filename !== null && filename !== sub.name && sub.name !== ANY_ENTRY) {
        if (sub.siblings && event === 'rename' && isRotatedName(sub.name, filename) && sub.file === path.join(dir.path, sub.name)) {
          sub.onHint('sibling', { entry: filename, after });
        }
        continue;
      }
      // A directory on the way to the file appeared: watch closer to the file.
      if (sub.file !== path.join(dir.path, sub.name)) this.reattach(sub);
      else sub.onHint(event);
    }
    if (event === 'rename') dir.lastEntry = filename ?? undefined;
    else if (watchedFile) dir.lastEntry = undefined;
  }

  private drop(dir: WatchedDir): void {
    dir.watcher.close();
    if (this.dirs.get(dir.path) === dir) this.dirs.delete(dir.path);
  }
}

/**
 * What a hint says: an entry was created, removed or renamed (`rename`), a file was written (`change`),
 * or the watch itself was renewed (its directory appeared, vanished or was replaced: `rewatch`), so that
 * anything may have changed unseen. @internal
 */
export type HintEvent = 'rename' | 'change' | 'rewatch' | 'sibling';

/**
 * An entry event for a rotated-name sibling of a watched file: the `entry`, and the entry of the event
 * right before it in the directory (`after`), if that was an entry event too, with no write to a
 * watched file in between. A file renamed from the watched name to the sibling makes exactly that pair:
 * `after` is the watched name. (Writes to other files may come in between, and are not counted.) @internal
 */
export interface SiblingEvent {
  readonly entry: string;
  readonly after: string | undefined;
}

/** A name no file can have (NUL is not allowed in names): "any entry of the directory". */
const ANY_ENTRY = '\u0000any';

interface WatchedDir {
  readonly path: string;
  readonly ino: number;
  readonly watcher: FSWatcher;
  readonly subs: Set<Subscription>;
  broken: boolean;
  /** The entry of the last entry event, until a watched file is written (see {@link SiblingEvent}). */
  lastEntry: string | undefined;
}

interface Subscription {
  readonly file: string;
  readonly onHint: (event: HintEvent, sibling?: SiblingEvent) => void;
  dir: WatchedDir | undefined;
  /** The entry of `dir` that leads to `file` (its basename, or the next directory on the way). */
  name: string;
  /** Also told of entries in rotated-name forms of the name. */
  readonly siblings: boolean;
}

function inodeOf(p: string): number | undefined {
  try {
    const st = statSync(osPath(p));
    return st.isDirectory() ? st.ino : undefined;
  } catch {
    return undefined;
  }
}
