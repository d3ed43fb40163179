import type { Line } from '../lines/line.js';
import type { Ledger } from './ledger.js';
import type { Mark, Placement } from './placement.js';

/** How often delivered positions are saved at most, in ms. */
const SAVE_EVERY_MS = 1000;

/** Lines given to the consumer at once, and which of them were delivered (committed). */
class Handout {
  /** Our own list of the lines (the consumer may change the array it was given). */
  readonly lines: readonly Line[];
  /** The array the consumer was given (per batch), to know it again in `commit(batch)`. */
  readonly given: readonly Line[] | undefined;
  readonly placement: Placement;
  /** Lines before this index are delivered. */
  prefix = 0;
  /** Lines after the prefix delivered out of order. */
  private extra: Set<number> | undefined;
  /** Sources with an entry for this hand-out. */
  readonly sources: readonly string[];

  constructor(lines: readonly Line[], given: boolean, placement: Placement, sources: readonly string[]) {
    this.lines = given ? lines.slice() : lines;
    this.given = given ? lines : undefined;
    this.placement = placement;
    this.sources = sources;
  }

  get done(): boolean {
    return this.prefix === this.lines.length;
  }

  delivered(i: number): boolean {
    return i < this.prefix || this.extra?.has(i) === true;
  }

  deliver(i: number): void {
    if (i !== this.prefix) {
      if (i > this.prefix) (this.extra ??= new Set()).add(i);
      return;
    }
    this.prefix++;
    while (this.extra?.delete(this.prefix)) this.prefix++;
  }

  /** Lines `from` to `to` (excluded) are delivered. */
  deliverRange(from: number, to: number): void {
    if (from > this.prefix) {
      for (let i = from; i < to; i++) (this.extra ??= new Set()).add(i);
      return;
    }
    this.deliverFirst(to);
  }

  deliverFirst(count: number): void {
    if (count <= this.prefix) return;
    this.prefix = Math.min(count, this.lines.length);
    while (this.extra?.delete(this.prefix)) this.prefix++;
  }
}

/** The part of a hand-out delivered in one source's order. */
interface Entry {
  readonly handout: Handout;
  /** Indexes of its lines of this source; undefined: every line. */
  readonly indexes: readonly number[] | undefined;
  /** How many of them were found delivered and applied. */
  applied: number;
  /** Marks of this source to make once all of them are delivered. */
  readonly passed: readonly Mark[];
}

/**
 * Turns "the consumer is done with these lines" into checkpoint positions. Each hand-out (the lines given
 * at once) is split by source; a source's position advances over the lines it delivered in the order
 * they were handed out, never past one still in the consumer's hands: a commit of a later line or batch
 * waits for the earlier ones of its source. Saves are batched: at most about once a second, and once
 * more at the end.
 * @internal
 * @example
 * ```ts
 * tracker.handOut(batch, plainPlacement(batch, origin), true);
 * tracker.commit(batch); // its source's position moves past it once earlier batches are committed
 * ```
 */
export class DeliveryTracker {
  private readonly ledger: Ledger;
  private readonly report: (error: unknown) => void;
  /** Hand-outs with lines not yet delivered, oldest first. */
  private open: Handout[] = [];
  /** Per source, the hand-outs whose marks are still to make, oldest first. */
  private readonly queues = new Map<string, Entry[]>();
  private newest: Handout | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private lastSave = 0;

  /** Marks waiting for every hand-out open when they were asked for (see {@link afterDelivered}). */
  private waiting: Array<{ mark: Mark; until: Set<Handout> }> = [];

  /**
   * `holdsNothing`: no processor holds lines back (none is stateful), so that every line read is in a
   * hand-out, and {@link afterDelivered} can tell when all of them are delivered.
   */
  constructor(ledger: Ledger, report: (error: unknown) => void, holdsNothing = false) {
    this.ledger = ledger;
    this.report = report;
    ledger.onRecord = () => this.scheduleSave();
    if (holdsNothing) ledger.onAfterDelivered = (origin, point) => this.afterDelivered({ origin, point });
  }

  /**
   * Makes `mark` once every hand-out open now is delivered (lines without a position of their own, a
   * name's history, came before its file); dropped if a mark of its source is made first (its lines went
   * out meanwhile: they say better where it is).
   */
  afterDelivered(mark: Mark): void {
    if (this.closed) return;
    if (this.open.length === 0) return this.ledger.record(mark.origin, mark.point);
    this.waiting.push({ mark, until: new Set(this.open) });
  }

  /** Marks whose hand-outs are all delivered now are made. */
  private releaseWaiting(): void {
    if (this.waiting.length === 0) return;
    const open = new Set(this.open);
    this.waiting = this.waiting.filter(({ mark, until }) => {
      for (const handout of until) if (open.has(handout)) return true;
      this.ledger.record(mark.origin, mark.point);
      return false;
    });
  }

  /**
   * Lines given to the consumer (`given`: as this very array, which `commit(array)` then names).
   * A hand-out without lines (all filtered out) is delivered as soon as what came before it is.
   */
  handOut(lines: readonly Line[], placement: Placement, given = false): void {
    if (this.closed) return;
    // Indexes of the lines of each source; undefined: every line is of this one source.
    const bySource = new Map<string, number[] | undefined>();
    const first = lines.length > 0 ? placement.sourceOf(0) : undefined;
    let uniform = true;
    if (placement.source === undefined) for (let i = 1; i < lines.length && uniform; i++) uniform = placement.sourceOf(i) === first;
    if (uniform) {
      if (first !== undefined) bySource.set(first, undefined);
    } else {
      for (let i = 0; i < lines.length; i++) {
        const source = placement.sourceOf(i);
        if (source === undefined) continue;
        const list = bySource.get(source);
        if (list) list.push(i);
        else bySource.set(source, [i]);
      }
    }
    const passed = new Map<string, Mark[]>();
    for (const mark of placement.passed) {
      const list = passed.get(mark.origin.source);
      if (list) list.push(mark);
      else passed.set(mark.origin.source, [mark]);
    }
    const sources = [...new Set([...bySource.keys(), ...passed.keys()])];
    const handout = new Handout(lines, given, placement, sources);
    for (const source of sources) {
      const indexes = bySource.has(source) ? bySource.get(source) : [];
      this.queue(source).push({ handout, indexes, applied: 0, passed: passed.get(source) ?? [] });
    }
    this.newest = handout;
    if (!handout.done) this.open.push(handout);
    this.apply(sources);
  }

  /** Everything handed out so far is delivered; of the newest hand-out, only the first `newest` lines if given. */
  commitAll(newest?: number): void {
    if (this.closed) return;
    for (const handout of this.open) {
      if (handout === this.newest && newest !== undefined) handout.deliverFirst(newest);
      else handout.deliverFirst(handout.lines.length);
    }
    this.open = this.open.filter((h) => !h.done);
    this.apply([...this.queues.keys()]);
  }

  /** The first `count` lines of the newest hand-out are delivered (per-line iteration). */
  commitFirst(count: number): void {
    const handout = this.newest;
    if (this.closed || !handout || handout.done) return;
    handout.deliverFirst(count);
    if (handout.done) this.open = this.open.filter((h) => h !== handout);
    this.apply(handout.sources);
  }

  /** These lines are delivered: a batch as handed out, any array of lines, or one line. Others are ignored. */
  commit(upTo: Line | readonly Line[]): void {
    if (this.closed) return;
    const touched = new Set<Handout>();
    const batch = Array.isArray(upTo) ? this.open.find((h) => h.given === upTo) : undefined;
    if (batch) {
      batch.deliverFirst(batch.lines.length);
      touched.add(batch);
    } else {
      // Where the last line was found: a run of lines of one hand-out (a part of a batch, as pipeTo
      // commits them) is then found line after line, not searched for in each older hand-out.
      let found: Handout | undefined;
      let at = -1;
      for (const line of Array.isArray(upTo) ? (upTo as readonly Line[]) : [upTo as Line]) {
        if (found && found.lines[at + 1] === line && !found.delivered(at + 1)) {
          found.deliver(++at);
          continue;
        }
        for (const handout of this.open) {
          const i = handout.lines.indexOf(line, handout.prefix);
          if (i === -1 || handout.delivered(i)) continue;
          handout.deliver(i);
          touched.add(handout);
          found = handout;
          at = i;
          break;
        }
      }
    }
    if (touched.size === 0) return;
    this.open = this.open.filter((h) => !h.done);
    this.apply([...new Set([...touched].flatMap((h) => h.sources))]);
  }

  /**
   * Lines `from` to `to` (excluded) of `batch`, a batch as handed out (`given`), are delivered: a part of
   * a batch as `pipeTo` sends it, committed without looking for its lines one by one.
   */
  commitRange(batch: readonly Line[], from: number, to: number): void {
    if (this.closed) return;
    const handout = this.open.find((h) => h.given === batch);
    if (!handout) return;
    handout.deliverRange(from, Math.min(to, handout.lines.length));
    if (handout.done) this.open = this.open.filter((h) => h !== handout);
    this.apply(handout.sources);
  }

  /** Saves what is delivered, and stops the save timer; later hand-outs and commits are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ledger.save().catch(this.report);
  }

  private queue(source: string): Entry[] {
    let queue = this.queues.get(source);
    if (!queue) this.queues.set(source, (queue = []));
    return queue;
  }

  /** Makes the marks of each source over its delivered lines, in the order they were handed out. */
  private apply(sources: readonly string[]): void {
    this.releaseWaiting();
    for (const source of sources) {
      const queue = this.queues.get(source);
      if (!queue) continue;
      while (queue.length > 0) {
        const entry = queue[0]!;
        const { handout, indexes } = entry;
        const count = indexes ? indexes.length : handout.lines.length;
        let last = -1;
        while (entry.applied < count) {
          const i = indexes ? indexes[entry.applied]! : entry.applied;
          if (!handout.delivered(i)) break;
          last = i;
          entry.applied++;
        }
        if (entry.applied < count) {
          const mark = last === -1 ? undefined : handout.placement.at(last);
          if (mark) this.made(mark);
          break;
        }
        queue.shift();
        for (const mark of entry.passed) this.made(mark);
      }
      if (queue.length === 0) this.queues.delete(source);
    }
  }

  /** Records a mark of delivered lines: a waiting mark of the same source is superseded by it. */
  private made(mark: Mark): void {
    if (this.waiting.length > 0) this.waiting = this.waiting.filter((w) => w.mark.origin.source !== mark.origin.source);
    this.ledger.record(mark.origin, mark.point);
  }

  /** Saves soon: at once if the last save is a second old, else a second after it. */
  private scheduleSave(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(this.lastSave + SAVE_EVERY_MS - Date.now(), 0);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastSave = Date.now();
      this.ledger.save().catch(this.report);
    }, wait);
  }
}
