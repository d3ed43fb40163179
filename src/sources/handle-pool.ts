/** Something that holds an open file and can let go of it while idle, to take it again when needed. @internal */
export interface Parkable {
  /** True when the descriptor is open and nothing is using it now (it may be closed). */
  readonly parkable: boolean;
  /** Closes the descriptor, keeping everything needed to open the same file again. */
  park(): void;
}

/**
 * Keeps the number of open followed files under a cap. Every open descriptor is registered here in
 * least-recently-used order; before a new one is opened, the least recently used idle ones are parked
 * (closed, their place kept) until there is room. Files in use, and files that left their name (being
 * drained), are never parked, so the cap can be exceeded briefly by those alone. Synchronous, so that a
 * file can be opened the moment it is seen.
 * @internal
 */
export class HandlePool {
  readonly max: number;
  /** Open descriptors, least recently used first (a touch moves one to the end). */
  private readonly open = new Set<Parkable>();
  /** Opens under way: room was made for them, they are not registered yet. */
  private reserved = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Number of descriptors open (or being opened) now. */
  get size(): number {
    return this.open.size + this.reserved;
  }

  /**
   * Makes room for one more descriptor, parking idle ones if needed, and reserves it: follow with
   * {@link opened} once it is open, or {@link cancel} if opening failed.
   */
  reserve(): void {
    for (const holder of this.open) {
      if (this.size < this.max) break;
      if (!holder.parkable) continue;
      this.open.delete(holder);
      holder.park();
    }
    this.reserved++;
  }

  /** A reserved slot now holds `holder`'s descriptor. */
  opened(holder: Parkable): void {
    this.reserved--;
    this.open.add(holder);
  }

  /** The reserved slot is not used after all. */
  cancel(): void {
    this.reserved--;
  }

  /** `holder` was used: it is now the most recently used. */
  touch(holder: Parkable): void {
    if (this.open.delete(holder)) this.open.add(holder);
  }

  /** `holder` closed its descriptor for good. */
  closed(holder: Parkable): void {
    this.open.delete(holder);
  }
}
