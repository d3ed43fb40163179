import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Line } from '../lines/line.js';
import type { Generation } from './generation.js';
import type { Generations } from './generations.js';
import { birthOf } from './file-ref.js';
import { lookAt, type Provenance } from './name-watch.js';
import { copiesOf, findUnseen, heldNothingSince, judgeCopy, rotatedSiblingsOf, startsOtherwise, type CopyVerdict, type Known, type Sighting } from './unseen.js';
import { osPath } from '../os-path.js';

/** Rotated-name files remembered at most in each of the sets below (set aside, judged beside a file). */
const REMEMBERED = 256;
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
  /**
   * Birth time of the file at the name (or the last one) when a count of the name's events last came
   * out even: files that held the name unseen since were born after it. Arrivals can outrun the counts
   * under load, so a sweep goes back that far, not just to the file before the current one.
   */
  private evenAt: number | undefined;
  /** A file looked like a copy of what a held file holds now: judge again on changes. */
  pending = false;
  /**
   * Rotated-name files (by identity) born while a held file was at the name: missing from the listing
   * made when that file came to the name, and found by a later listing after which a look still saw the
   * file there. Such a file never held the name (it may be the file's copy); no clock is needed to know it.
   */
  private readonly beside = new Map<string, Generation>();
  /**
   * Rotated-name files (by identity) the name's events say did not hold it unseen: listed before a count
   * of the events, and not found to be such a file once the count was in (see {@link counted}). Like
   * {@link beside}, without needing the file still at the name.
   */
  private readonly accounted = new Set<string>();
  /**
   * Where rotated-name files came from (by identity), as the directory's events tell: renamed from the
   * name (it held it: never a copy), or made otherwise (never a file that held the name unseen).
   */
  private readonly origins = new Map<string, Provenance>();
  /** Files that made the first read of a file be done again (see {@link contradicts}), by that file. */
  private readonly objections = new WeakMap<Generation, Set<string>>();
  /** Rotated-name files listed when the file at the name came to it. */
  private listed: Sighting[] = [];
  /** Rotated-name files that could not be judged as copies for want of a look that tells ({@link takeCopy}). */
  private undecided: Sighting[] = [];
  /** Listings waiting for the name's events up to them to be counted, by the number of the count asked for. */
  private toCount: Array<{ readonly ticket: number; readonly found: readonly Sighting[] }> = [];
  /** The file at the name when {@link listed} was made, and what that listing held (by identity). */
  private arrival: { readonly gen: Generation | undefined; readonly ids: ReadonlySet<string> } = { gen: undefined, ids: new Set() };

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
    const since = (current ? this.beforeCurrentBorn : this.lastCurrentBorn) ?? 0;
    const after = Math.max(Math.min(since, this.evenAt ?? since), this.history);
    // With no file at the name, anything born until now (file times have sub-ms parts; Date.now() does not).
    const before = current?.file.born ?? Date.now() + 1;
    const occupied = (born: number, st: Stats) => {
      const id = identity(st);
      return gens.occupied(born) || this.beside.has(id) || this.accounted.has(id) || this.origins.get(id) === 'elsewhere';
    };
    for (const found of findUnseen(this.name, this.known, after, before, gens.heads(), occupied)) {
      const gen = this.host.pinAt(found.path, found.st);
      if (!gen) continue;
      gens.insertOlder(gen, gen.file.born);
      // An empty file explains no event: the copy of a file made as it came to the name, before anything
      // was written to it, cannot be told from a file renamed away from it, and must not hide one.
      if (found.st.size > 0) this.host.arrival();
      this.host.hint();
    }
  }

  /**
   * An entry event for the rotated-name file `entry`, which came `from` the name or from elsewhere, as
   * far as the events tell (see {@link Provenance}); the file there now is the one it concerns, or a
   * later one, whose own event comes later and says where it came from. A file once renamed from the
   * name keeps that origin; one whose event cannot tell (renamed from another rotated name) loses the
   * origin "elsewhere" an earlier event may have given it.
   */
  entryEvent(entry: string, from: Provenance | undefined): void {
    let st: Stats | undefined;
    try {
      st = statSync(osPath(path.join(path.dirname(this.name), entry)), { throwIfNoEntry: false });
    } catch {
      return;
    }
    if (!st?.isFile()) return;
    const id = identity(st);
    if (this.origins.get(id) === 'name') return;
    this.origins.delete(id);
    if (from) this.origins.set(id, from);
    if (this.origins.size > REMEMBERED) this.origins.delete(this.origins.keys().next().value!);
  }

  /**
   * Finds the file `st` (seen at the name, gone from it before it could be opened) under a rotated name,
   * and holds it, to be read in birth order. False when it is not there (deleted, or moved elsewhere).
   */
  findMoved(st: Stats): boolean {
    const id = identity(st);
    const found = rotatedSiblingsOf(this.name, this.known).find((sibling) => identity(sibling.st) === id);
    const gen = found && this.host.pinAt(found.path, found.st);
    if (!gen) return false;
    this.host.gens.insertOlder(gen, gen.file.born);
    this.host.hint();
    return true;
  }

  /**
   * A file came to the name (`atStart`: the first one, when every rotated-name file there is history):
   * lists the rotated-name files there now, to be judged once the events up to now are counted
   * ({@link counted}); any found later was born while it held the name, or after.
   */
  arrived(atStart = false): void {
    this.listed = atStart ? [] : this.siblings();
    // Where the follower starts, the count starts even.
    if (atStart) this.evenAt = this.host.gens.current?.file.born;
    this.arrival = { gen: this.host.gens.current, ids: new Set(this.listed.map((found) => identity(found.st))) };
  }

  /** True when files found by the last {@link arrived} or {@link takeCopy} wait for the name's events to be counted. */
  get uncounted(): boolean {
    return this.listed.length > 0 || this.undecided.length > 0;
  }

  /** The name's events up to now are to be counted (request `ticket`): the files listed until now wait for it. */
  awaitCount(ticket: number): void {
    this.toCount.push({ ticket, found: [...this.listed, ...this.undecided] });
    this.listed = [];
    this.undecided = [];
  }

  /**
   * The name's events up to request `covered` are counted, and the files they say held the name unseen
   * were looked for ({@link sweep}): the files listed before then that were not taken never held the
   * name; from now on they may be judged as copies of the file before them. `upToNow`: no file was seen
   * arriving since (else the count says nothing yet of the file at the name now).
   */
  counted(covered: number, even: boolean, upToNow: boolean): void {
    if (even && upToNow) this.evenAt = this.lastCurrentBorn;
    for (const entry of this.toCount) {
      if (entry.ticket > covered) continue;
      for (const found of entry.found) if (!this.known.knows(found.st)) remember(this.accounted, identity(found.st));
    }
    this.toCount = this.toCount.filter((entry) => entry.ticket > covered);
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
    const candidates = this.siblings();
    this.lookBeside(candidates);
    const undecided: Sighting[] = [];
    for (const candidate of candidates) {
      const born = birthOf(candidate.st);
      // A copy is made of the file at the name: the newest held file born before it that it can be a copy
      // of. One empty and untouched since the copy was born cannot: that one may be an earlier copy itself,
      // made of a new file before anything was written to it (the name's events say such a copy came from
      // the name), and held as a file that held the name unseen.
      const gen = gens.newestBornBefore(born, (held) => heldNothingSince(held.copied, born));
      // Nothing read of the file: its content cannot tell a copy of it from a file born after it left
      // the name and rotated away unseen; only a look that saw it at the name after the other one was
      // born can, or the name's events, all explained by files seen at it.
      const id = identity(candidate.st);
      const origin = this.origins.get(id);
      // Renamed from the name: it held it, and is no copy.
      if (origin === 'name') continue;
      if (gen && !truncated && gen.copied.readHead.length === 0 && origin === undefined && !gens.atNameAt(gen, born) && this.beside.get(id) !== gen && !this.accounted.has(id)) {
        undecided.push(candidate);
        continue;
      }
      // Born in the same tick of the file clock as files that came to the name (several, under fast
      // churn): a copy of one of them, or of the one before them; the content tells, where something of
      // them was read (of two files nothing was read of, born in one tick, the newer is taken).
      let verdict: CopyVerdict = 'unrelated';
      for (const owner of [gen, ...gens.bornAt(born)]) {
        if (!owner || (truncated && owner !== truncated)) continue;
        verdict = judgeCopy(candidate, owner.copied, owner === truncated);
        if (verdict === 'copy' && this.readCopy(candidate, owner, out)) {
          this.pending = false;
          this.undecided = [];
          return true;
        }
        if (verdict !== 'unrelated') break;
      }
      // One the file never went on to be truncated after is not to be read. Anything else may yet be
      // something: a copy still being written (judged again when the truncation is seen), an unseen file
      // (found by the sweep). A copy of what was read is set aside once the file is read anew.
      // Judged for `rotateWait` after it was last written (not only after it was born: copying a large
      // file takes a while; a copy that kept the file's times, `cp -p`, counts from its birth).
      if (verdict === 'not-yet' && Date.now() - Math.max(born, candidate.st.mtimeMs) < this.rotateWait) pending = true;
      else if (verdict === 'not-yet') this.ignore(candidate.st);
    }
    this.pending = pending;
    this.undecided = undecided;
    return false;
  }

  /**
   * Asked once the first bytes of a file nothing was read of are in, before they are kept: true when a
   * rotated-name file born since it came holds other first bytes, and may be a copy of what it held
   * before them (a `copytruncate` that came between the look for copies and the read). The bytes are
   * then read again after that file is judged. Each such file objects once per file read.
   */
  contradicts(gen: Generation, chunk: Buffer): boolean {
    const objected = this.objections.get(gen) ?? new Set<string>();
    for (const candidate of this.siblings()) {
      const id = identity(candidate.st);
      if (birthOf(candidate.st) < gen.file.born || this.origins.get(id) === 'name' || objected.has(id)) continue;
      if (!startsOtherwise(candidate, chunk)) continue;
      objected.add(id);
      this.objections.set(gen, objected);
      return true;
    }
    return false;
  }

  /** The rotated-name files there now that are not known and not history, oldest first. */
  private siblings(): Sighting[] {
    return rotatedSiblingsOf(this.name, this.known).filter((found) => birthOf(found.st) >= this.history);
  }

  /**
   * Looks at the name after `listed` were found: those missing from the listing made when the file at
   * the name came to it were born while it was there, if it still is (see {@link beside}).
   */
  private lookBeside(listed: readonly Sighting[]): void {
    const current = this.host.gens.current;
    const arrival = this.arrival;
    const later = listed.filter((found) => !arrival.ids.has(identity(found.st)));
    if (!current || current !== arrival.gen || later.length === 0) return;
    const seenAt = Date.now();
    const look = lookAt(this.name);
    if (look.kind !== 'file' || !current.isSameFile(look.st)) return;
    current.seenAtName = seenAt;
    for (const found of later) {
      this.beside.set(identity(found.st), current);
      if (this.beside.size > REMEMBERED) this.beside.delete(this.beside.keys().next().value!);
    }
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
    remember(this.ignored, identity(st));
  }
}

/** Adds `id` to `set`, forgetting the oldest beyond {@link REMEMBERED}. */
function remember(set: Set<string>, id: string): void {
  set.add(id);
  if (set.size > REMEMBERED) set.delete(set.values().next().value!);
}

/** A file's identity over time: inode numbers are reused once a file is gone, birth times are not. @internal */
export function identity(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
}
