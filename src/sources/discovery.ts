import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DirWatch, HintEvent } from './dir-watch.js';
import type { Glob } from './glob.js';
import { fromOsBytes, osPath } from '../os-path.js';

/**
 * Finds the files matching a glob, now and later. A scan walks the directories below the pattern's
 * base (only as deep as the pattern can match) and reports files not seen before; directory watches
 * and the session's safety poll say when to scan again.
 * @internal
 */
export class Discovery {
  readonly glob: Glob;
  private readonly known = new Set<string>();
  private readonly watch: DirWatch | undefined;
  private readonly onHint: (event: HintEvent) => void;
  private readonly watched = new Map<string, () => void>();
  private closed = false;

  private readonly rescan: () => void;

  constructor(glob: Glob, watch: DirWatch | undefined, onNewEntry: () => void) {
    this.glob = glob;
    this.watch = watch;
    this.rescan = onNewEntry;
    // Writes to files already followed say nothing about new matches: only entries coming and going do.
    this.onHint = (event) => {
      if (event === 'rename' || event === 'rewatch') onNewEntry();
    };
    if (watch) this.watched.set(glob.base, watch.subscribeDirectory(glob.base, this.onHint));
  }

  /** Files that match now and were not reported before, in sorted order. */
  async scan(): Promise<string[]> {
    const found: string[] = [];
    const dirs = new Set<string>();
    await this.walk(this.glob.base, 0, found, dirs);
    if (this.closed) return [];
    // A directory watched only now may have got files between our readdir and its watch: look again.
    if (this.watchDirectories(dirs) > 0) this.rescan();
    const fresh = found.filter((file) => !this.known.has(file)).sort();
    for (const file of fresh) this.known.add(file);
    return fresh;
  }

  /** Lets a file that went away be found again if it comes back. */
  forget(file: string): void {
    this.known.delete(file);
  }

  close(): void {
    this.closed = true;
    for (const unsubscribe of this.watched.values()) unsubscribe();
    this.watched.clear();
  }

  private async walk(dir: string, level: number, found: string[], dirs: Set<string>): Promise<void> {
    let entries;
    try {
      entries = await readdir(osPath(dir), { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return; // missing or unreadable: the watch on its nearest ancestor says when to look again
    }
    dirs.add(dir);
    for (const entry of entries) {
      const name = fromOsBytes(entry.name);
      const full = dir === '.' ? name : path.join(dir, name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const st = await stat(osPath(full)).catch(() => undefined);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isFile && this.glob.matches(full)) found.push(full);
      else if (isDir && level < this.glob.depth && !name.startsWith('.')) await this.walk(full, level + 1, found, dirs);
    }
  }

  /**
   * Watches every directory the pattern can match in, and stops watching those that are gone. Returns
   * how many directories are watched for the first time.
   */
  private watchDirectories(dirs: Set<string>): number {
    if (!this.watch) return 0;
    let added = 0;
    for (const dir of dirs) {
      if (this.watched.has(dir)) continue;
      this.watched.set(dir, this.watch.subscribeDirectory(dir, this.onHint));
      added++;
    }
    for (const [dir, unsubscribe] of this.watched) {
      if (dir !== this.glob.base && !dirs.has(dir)) {
        unsubscribe();
        this.watched.delete(dir);
      }
    }
    return added;
  }
}
