import type { Generation } from './generation.js';

/** How often a rotated or deleted file still being drained is looked at. */
const CHECK_MS = 100;

/**
 * The old files of a followed name: rotated away or deleted, still read (before the new file) until
 * they have been quiet for `rotateWait`, then released. While any is kept, a timer wakes the follower
 * to look at them, since their names no longer lead to them and no watch event will.
 * @internal
 */
export class Retiring {
  private gens: Generation[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly rotateWait: number;
  private readonly wake: () => void;

  constructor(rotateWait: number, wake: () => void) {
    this.rotateWait = rotateWait;
    this.wake = wake;
  }

  /** The files kept, oldest first. */
  get files(): readonly Generation[] {
    return this.gens;
  }

  get size(): number {
    return this.gens.length;
  }

  add(gen: Generation): void {
    // Its name leads elsewhere now: it is never closed to make room, or it could not be found again.
    gen.pinned = true;
    // Quiet time counts from the later of its last growth and now: a writer that was idle before the
    // rotation still gets the whole grace period to write its last lines to the old file.
    gen.lastGrowth = Date.now();
    this.gens.push(gen);
    this.timer ??= setInterval(this.wake, Math.max(Math.min(CHECK_MS, this.rotateWait), 10));
  }

  remove(gen: Generation): void {
    this.gens = this.gens.filter((g) => g !== gen);
    if (this.gens.length === 0) this.stopTimer();
  }

  /** Hands each file read to its end and quiet for `rotateWait` to `release`, and forgets it. */
  async releaseQuiet(release: (gen: Generation) => Promise<void>): Promise<void> {
    const now = Date.now();
    for (const gen of [...this.gens]) {
      if (gen.atEof && now - gen.lastGrowth >= this.rotateWait) {
        this.remove(gen);
        await release(gen);
      }
    }
  }

  /** Every file kept, forgotten now (the caller releases or closes them). */
  takeAll(): Generation[] {
    const gens = this.gens;
    this.gens = [];
    this.stopTimer();
    return gens;
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
