import type { Stats } from 'node:fs';
import type { Generation } from './generation.js';

/** A follower as the other followers of its session see it. @internal */
export interface Reader {
  /** The followed name. */
  readonly name: string;
  /** True when `gen` is the file this follower reads at its name, and the name still leads to it. */
  leadsTo(gen: Generation): boolean;
  /** Another follower reads `gen` from now on: stop reading it (without closing it). */
  surrender(gen: Generation): void;
  /** Keeps `closed` (a descriptor being closed on its behalf) until it settles: its own close waits for it. */
  closes(closed: Promise<void>): void;
}

/**
 * Which follower reads which file, for a whole session: one file, one reader. When a file that one
 * follower drains after it left its name turns up at another followed name (`mv a b` with both followed,
 * a file renamed from one glob match to another), the follower of the new name reads it from then on and
 * the other stops. A file at two followed names at once (links) is read under both, as GNU tail does.
 * @internal
 */
export class Readers {
  private readonly byIdentity = new Map<string, Map<Generation, Reader>>();

  /** `reader` reads `gen`. */
  claim(gen: Generation, reader: Reader): void {
    const key = identity(gen.dev, gen.ino, gen.file.btime);
    let holders = this.byIdentity.get(key);
    if (!holders) this.byIdentity.set(key, (holders = new Map()));
    holders.set(gen, reader);
  }

  /** Nobody reads `gen` any more (released, closed, or about to be claimed by another reader). */
  release(gen: Generation): void {
    const key = identity(gen.dev, gen.ino, gen.file.btime);
    const holders = this.byIdentity.get(key);
    holders?.delete(gen);
    if (holders?.size === 0) this.byIdentity.delete(key);
  }

  /** The generations of file `st` read now, and by whom. */
  holders(st: Stats): Array<{ readonly gen: Generation; readonly reader: Reader }> {
    const holders = this.byIdentity.get(identity(st.dev, st.ino, st.birthtimeMs));
    return holders ? [...holders].map(([gen, reader]) => ({ gen, reader })) : [];
  }

  /**
   * `reader` opened `fresh` (file `st`) at its name. Another follower that reads that file although it
   * left its name stops: `reader` reads it from now on. With `adopt` (a file a glob found: a rename
   * between two matches is not a new file), `reader` goes on with the other's generation, where it was;
   * otherwise it reads its own from the start (GNU tail: "has been replaced; following new file").
   * Returns the generation `reader` reads, claimed.
   */
  takeOver(reader: Reader, fresh: Generation, st: Stats, adopt: boolean): Generation {
    let taken = fresh;
    for (const other of this.holders(st)) {
      if (other.reader === reader || other.reader.leadsTo(other.gen)) continue;
      other.reader.surrender(other.gen);
      this.release(other.gen);
      if (adopt && taken === fresh) taken = other.gen;
      else reader.closes(other.gen.dispose());
    }
    if (taken !== fresh) {
      reader.closes(fresh.dispose());
      taken.rename(reader.name);
    }
    this.claim(taken, reader);
    return taken;
  }

  /** True when a follower other than `reader` reads file `st` as the file now at its own name. */
  readAtOtherName(reader: Reader, st: Stats): boolean {
    return this.holders(st).some((h) => h.reader !== reader && h.reader.leadsTo(h.gen));
  }

  /** True when some follower reads file `st` now. */
  has(st: Stats): boolean {
    return this.byIdentity.has(identity(st.dev, st.ino, st.birthtimeMs));
  }
}

/** Inode numbers are reused once a file is gone: the birth time tells the files apart. */
function identity(dev: number, ino: number, born: number): string {
  return `${dev}:${ino}:${born}`;
}
