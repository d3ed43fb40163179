import { realpath } from 'node:fs/promises';
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { DirWatch, HintEvent, SiblingEvent } from './dir-watch.js';
import { isRotatedName } from './rotated-name.js';
import { osPath } from '../os-path.js';

/** What a look at a followed name finds. @internal */
export type Look =
  | { readonly kind: 'file'; readonly st: Stats }
  | { readonly kind: 'missing' }
  | { readonly kind: 'inaccessible'; readonly error: NodeJS.ErrnoException }
  | { readonly kind: 'untailable'; readonly st: Stats };

/**
 * Looks at `name` now (one synchronous `stat`): a regular file, nothing, something that cannot be looked
 * at (EACCES, ELOOP, ENOTDIR, ENAMETOOLONG…), or something that is not a regular file. Never throws.
 * @internal
 */
export function lookAt(name: string): Look {
  try {
    const st = statSync(osPath(name), { throwIfNoEntry: false });
    if (!st) return { kind: 'missing' };
    return st.isFile() ? { kind: 'file', st } : { kind: 'untailable', st };
  } catch (error) {
    return { kind: 'inaccessible', error: error as NodeJS.ErrnoException };
  }
}

/** What the follower does when the name's watch says something. @internal */
export interface NameWatchHandlers {
  /** An entry event for the name (created, removed, renamed), or the watch was renewed: look now. */
  look(): void;
  /** The file was written: read. */
  write(): void;
  /**
   * The events up to request `covered` of {@link NameWatch.settleSoon} (and every burst before) are
   * in (see {@link NameWatch.unaccounted}).
   */
  settled(covered: number): void;
  /**
   * An entry in a rotated-name form of the name came or went (a rotation, or a copy of the file), and
   * where the file there now came from, as far as the events tell (see {@link Provenance}).
   */
  sibling(entry: string, from: Provenance | undefined): void;
}

/**
 * Where a file at a rotated name came from, by the directory's events: renamed from the followed name
 * (`name`: it held the name), or made otherwise (`elsewhere`: created there, a copy, or renamed from a
 * name that is not a rotated form of the followed one). Unknown (undefined) after a rename from another
 * rotated name (logrotate shifting `NAME.1` to `NAME.2`): the file is the one that was there.
 * @internal
 */
export type Provenance = 'name' | 'elsewhere';

/**
 * Watching one followed name: its directory's events for that entry, and, when the name is a symbolic
 * link to a file elsewhere (or, by descriptor, a file that moved), that file's own directory.
 *
 * It also keeps count of files that came to the name. A file arriving and a file leaving each make one
 * entry event (a rename over the name makes one for both), so a look that sees a new file accounts for
 * two. Events come in bursts, after the fact: when, once a burst is over, more events came than the
 * arrivals seen can explain, a file held the name between two looks without being seen
 * ({@link unaccounted}).
 * @internal
 */
export class NameWatch {
  readonly name: string;
  private readonly watch: DirWatch | undefined;
  private readonly handlers: NameWatchHandlers;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeTarget: (() => void) | undefined;
  private target: string | undefined;
  /**
   * Entry events minus twice the arrivals seen: -1 while a file seen arriving holds the name, 0 while
   * none does, more when files came and went unseen (never below -1 after a burst: see {@link settle}).
   */
  private debt = 0;
  private settling: NodeJS.Immediate | undefined;
  /** Requests for {@link settleSoon} made so far. */
  private requests = 0;
  /**
   * Arrivals seen by a look, by the request made when they were seen: they count once that request is
   * answered, when their own events are in for sure (counted at once, a look that came after a count was
   * asked for would make that count come out even before the events it explains were delivered).
   */
  private arrivals: number[] = [];
  private closed = false;

  constructor(name: string, watch: DirWatch | undefined, handlers: NameWatchHandlers) {
    this.name = name;
    this.watch = watch;
    this.handlers = handlers;
  }

  /** Starts watching the name (before it is first looked at, so no event in between is missed). */
  start(): void {
    this.unsubscribe ??= this.watch?.subscribe(this.name, (event, sibling) => this.onEvent(event, true, sibling), { siblings: true });
  }

  /** A look saw a file at the name that was not held: it counts once the events up to now are in. */
  arrival(): void {
    this.arrivals.push(this.settleSoon());
  }

  /** A file that held the name unseen was found, after the events that told of it were counted. */
  found(): void {
    this.debt -= 2;
  }

  /** True while arrivals seen wait for a count that covers them (their events may still be on the way). */
  get arrivalsPending(): boolean {
    return this.arrivals.length > 0;
  }

  /**
   * True when the count can be trusted: every entry event for the name reaches this watch (see
   * {@link DirWatch.watching}).
   */
  get counting(): boolean {
    return this.unsubscribe !== undefined && this.watch !== undefined && this.watch.watching(this.name);
  }

  /**
   * Asks for `settled` to be called once every event for what happened before now has been delivered
   * (a look that saw a file arrive came after its event was queued, and the queue is read in the next
   * turn of the event loop at the latest). Returns the request's number: `settled(covered)` answers
   * every request up to `covered`.
   */
  settleSoon(): number {
    const ticket = ++this.requests;
    if (!this.closed && !this.settling) this.settling = setImmediate(() => this.firstTurn());
    return ticket;
  }

  /** The requests made so far are answered after the next turn's events are in. */
  private firstTurn(): void {
    const covered = this.requests;
    this.settling = setImmediate(() => {
      this.settling = undefined;
      this.settle(covered);
      // Requests made after the first turn began need a turn of their own.
      if (this.requests > covered && !this.closed) this.settling = setImmediate(() => this.firstTurn());
    });
  }

  /** The file at the name when the watch started: it arrived before, and so did its event. */
  present(): void {
    this.debt -= 1;
  }

  /** Events not explained by the arrivals seen, once a burst is over; 0 when all is accounted for. */
  get unaccounted(): number {
    return Math.max(this.debt, 0);
  }

  /** After a burst: what is unaccounted for has been dealt with (found, or reported). `held`: a file seen arriving holds the name now. */
  forgive(held: boolean): void {
    this.debt = held ? -1 : 0;
  }

  /**
   * Watches the directory of the file itself when it is not the name's: a symbolic link to a file
   * elsewhere (Kubernetes' /var/log/containers), or, by descriptor, the file as it was opened. Without
   * it, appends there would be seen only by the safety poll.
   */
  async follow(byDescriptor: boolean): Promise<void> {
    if (!this.watch || this.closed) return;
    const target = await realpath(this.name).catch(() => undefined);
    if (target === this.target || this.closed) return;
    this.unsubscribeTarget?.();
    this.unsubscribeTarget = undefined;
    this.target = target;
    const isName = target === undefined || target === path.resolve(this.name);
    if (target !== undefined && (!isName || byDescriptor)) {
      this.unsubscribeTarget = this.watch.subscribe(target, (event) => this.onEvent(event, false));
    }
  }

  /** Stops watching the name itself (the file is followed by descriptor, or the name was given up). */
  stopWatchingName(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  close(): void {
    this.closed = true;
    this.stopWatchingName();
    this.unsubscribeTarget?.();
    this.unsubscribeTarget = undefined;
    if (this.settling) clearImmediate(this.settling);
    this.settling = undefined;
  }

  private onEvent(event: HintEvent, ofName: boolean, sibling?: SiblingEvent): void {
    if (this.closed) return;
    if (event === 'change') return this.handlers.write();
    if (event === 'sibling') {
      if (sibling) this.handlers.sibling(sibling.entry, this.provenance(sibling));
      return;
    }
    if (event === 'rename' && ofName) this.debt++;
    this.handlers.look();
    // Judge what the events of a burst add up to once they are all in.
    this.settleSoon();
  }

  private provenance(sibling: SiblingEvent): Provenance | undefined {
    const base = path.basename(this.name);
    if (sibling.after === base) return 'name';
    return sibling.after !== undefined && isRotatedName(base, sibling.after) ? undefined : 'elsewhere';
  }

  private settle(covered: number): void {
    if (this.closed) return;
    const counted = this.arrivals.filter((ticket) => ticket <= covered).length;
    this.debt -= 2 * counted;
    if (counted > 0) this.arrivals = this.arrivals.filter((ticket) => ticket > covered);
    this.handlers.settled(covered);
    // A rename over the name makes one event for an arrival and a departure: that credit may not pile
    // up over many such renames and hide a file that was missed later.
    if (this.debt < -1) this.debt = -1;
  }
}
