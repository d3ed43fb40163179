import type { Stats } from 'node:fs';
import type { Line } from '../lines/line.js';
import type { Generation } from './generation.js';
import type { Generations } from './generations.js';
import { birthOf } from './file-ref.js';
import { copiesOf, findUnseen, judgeCopy, rotatedSiblingsOf, type Known, type Sighting } from './unseen.js';

/** Rotated-name files set aside as neither generations nor copies to read, remembered at most. */
const IGNORED = 256;
/**
 * File times come from a coarse clock (a tick of a few ms) that may trail `Date.now()`: a file born
 * this long before the follower started may still be one it must look at.
 */
const CLOCK_SLACK_MS = 20;

/** What {@link RotatedFiles} needs of the follower of the name. @internal */
export interface RotatedFilesHost {
  readonly gens: Generations;
  /** True for a file another follower of the session reads. */
  heldElsewhere(st: Stats): boolean;
  /** Opens the file found at `path`, if it is still `seen`, as a generation of the name (claimed). */
  pinAt(path: string, seen: Stats): Generation | undefined;
  /** A file that held the name was found (for the count of arrivals). */
  arrival(): void;
  /** There is something new to read. */
  hint(): void;
}

/**
 * The rotated-name files beside a followed name (`NAME.1`, `NAME-20261130`…), as far as they concern
 * reading it: files that held the name between two looks, unseen, and were rotated away (found by
 * {@link sweep}); and the copies a `copytruncate` rotation made of a file before truncating it, which
 * hold what was not read yet ({@link takeCopy}). Whatever was born before the follower started is
 * history, and copies already dealt with are set aside for good.
 * @internal
 */
export class RotatedFiles {
  private readonly name: string;
  private readonly rotateWait: number;
  private readonly host: RotatedFilesHost;
  /** Files born before this are history: there before the follower started, not to be read. */
  private readonly history = Date.now() - CLOCK_SLACK_MS;

  /**
   * The rotated files there now are history, not files to read (also those born just now, in the same
   * tick of the file clock as the follower's start). `listing`: the directory's entries, read once for
   * every follower of the directory.
   */
  ignoreExisting(listing: readonly string[] | undefined): void {
    for (const sibling of rotatedSiblingsOf(this.name, this.known, listing)) this.ignore(sibling.st);
  }
  /** Rotated-name files that are not to be read (there before us, or copies dealt with), by identity. */
  private readonly ignored = new Set<string>();
  /** Birth time of the file at the name before the current one, and of the current (or last) one. */
  private beforeCurrentBorn: number | undefined;
  private lastCurrentBorn: number | undefined;
  /** A file looked like a copy of what a held file holds now: judge again on changes. */
  pending = false;
  /**
   * A file that may be a copy of the file at the name, of which nothing was read, was born so lately
   * that no look has told yet whether the file was still at the name then: the time (ms) after which a
   * look can tell; 0 when none.
   */
  undecidedUntil = 0;

  /** Files held now by this follower or any other, lately released, or set aside. */
  readonly known: Known = {
    knows: (st: Stats) => this.ignored.has(identity(st)) || this.host.gens.knows(st) || this.host.heldElsewhere(st),
  };

  constructor(name: string, rotateWait: number, host: RotatedFilesHost) {
    this.name = name;
    this.rotateWait = rotateWait;
    this.host = host;
  }

  /** A new file is at the name (born at `born`). */
  newCurrent(born: number): void {
    this.beforeCurrentBorn = this.lastCurrentBorn ?? this.beforeCurrentBorn;
    this.lastCurrentBorn = born;
  }

  /**
   * Finds files that held the name between two looks and were rotated away unseen: born after the file at
   * the name before the current one and before the current one (with no file at the name, after the
   * last one), never seen, not copies of a known file. They are held, to be read in birth order before
   * the newer files.
   */
  sweep(): void {
    const gens = this.host.gens;
    const current = gens.current;
    const after = Math.max((current ? this.beforeCurrentBorn : this.lastCurrentBorn) ?? 0, this.history);
    // With no file at the name, anything born until now (file times have sub-ms parts; Date.now() does not).
    const before = current?.file.born ?? Date.now() + 1;
    for (const found of findUnseen(this.name, this.known, after, before, gens.heads(), (born) => gens.occupied(born))) {
      const gen = this.host.pinAt(found.path, found.st);
      if (!gen) continue;
      gens.insertOlder(gen, gen.file.born);
      this.host.arrival();
      this.host.hint();
    }
  }

  /**
   * Looks for the copy a `copytruncate` rotation made of a held file before truncating it (`truncated`:
   * of that file, known to be truncated; else of any held file, judged by content). A copy that holds
   * what was not read is held, to be read from where the file stopped, and the file is read again from
   * its first byte (its unfinished line goes on in the copy). Files that look like a copy of what a file
   * holds now are judged again on later changes, for `rotateWait`. True when a copy was found.
   */
  takeCopy(out: Line[], truncated?: Generation): boolean {
    const gens = this.host.gens;
    let pending = false;
    let undecided = 0;
    for (const candidate of rotatedSiblingsOf(this.name, this.known)) {
      const born = birthOf(candidate.st);
      if (born < this.history) continue;
      // A copy is made of the file at the name: the newest held file born before it.
      const gen = gens.newestBornBefore(born);
      if (gen && !truncated && gen.copied.readHead.length === 0 && !gens.atNameAt(gen, born)) {
        // Nothing read of the file: its content cannot tell a copy of it from a file born after it left
        // the name and rotated away unseen; only a look that saw it at the name after `born` can. Still
        // at the name at the last look, which came too soon after `born` to tell: the next one will.
        if (gen === gens.current) undecided = Math.max(undecided, gens.lookTellsAfter(born));
        continue;
      }
      const verdict = gen && (!truncated || gen === truncated) ? judgeCopy(candidate, gen.copied, gen === truncated) : 'unrelated';
      if (verdict === 'copy' && this.readCopy(candidate, gen!, out)) {
        this.pending = false;
        this.undecidedUntil = 0;
        return true;
      }
      // One the file never went on to be truncated after is not to be read. Anything else may yet be
      // something: a copy still being written (judged again when the truncation is seen), an unseen file
      // (found by the sweep). A copy of what was read is set aside once the file is read anew.
      if (verdict === 'not-yet' && Date.now() - born < this.rotateWait) pending = true;
      else if (verdict === 'not-yet') this.ignore(candidate.st);
    }
    this.pending = pending || undecided > 0;
    this.undecidedUntil = undecided;
    return false;
  }

  /** `gen` is read again from its first byte; rotated-name files holding what was read of it are copies already dealt with. */
  restart(gen: Generation, out: Line[], flushHeld: boolean): void {
    const head = gen.firstBytes;
    gen.restart(out, flushHeld);
    for (const copy of copiesOf(this.name, this.known, head)) this.ignore(copy.st);
  }

  /** `gen` is released: a copy read once is never taken for a copy again. */
  released(gen: Generation): void {
    if (!this.host.gens.isCopy(gen)) return;
    try {
      const st = gen.file.statNow();
      if (st) this.ignore(st);
    } catch {
      // closed already: nothing to set aside
    }
  }

  private readCopy(found: Sighting, gen: Generation, out: Line[]): boolean {
    const copy = this.host.pinAt(found.path, found.st);
    if (!copy) return false;
    copy.startAt({ offset: gen.lineStart, skipLines: 0, firstLineNumber: gen.framer.lineNumber }, gen.firstBytes);
    this.host.gens.insertCopy(copy, gen);
    this.restart(gen, out, false);
    this.host.hint();
    return true;
  }

  private ignore(st: Stats): void {
    this.ignored.add(identity(st));
    if (this.ignored.size > IGNORED) this.ignored.delete(this.ignored.values().next().value!);
  }
}

/** A file's identity over time: inode numbers are reused once a file is gone, birth times are not. @internal */
export function identity(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
}
