/** Something that holds an open file and can let go of it while idle, to take it again when needed. @internal */
export interface Parkable {
  /** True when the handle is open and nothing is using it now (it may be closed). */
  readonly parkable: boolean;
  /** Closes the handle, keeping everything needed to open the same file again. */
  park(): Promise<void>;
}

/**
 * Keeps the number of open followed files under a cap. Every open handle is registered here in
 * least-recently-used order; before a new one is opened, the least recently used idle ones are parked
 * (closed, their place kept) until there is room. Files in use, and old files still being drained after
 * a rotation, are never parked, so the cap can be exceeded briefly by those alone.
 * @internal
 */
export class HandlePool {
  readonly max: number;
  /** Open handles, least recently used first (a touch moves one to the end). */
  private readonly open = new Set<Parkable>();
  /** Opens under way: room was made for them, they are not registered yet. */
  private reserved = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** Number of handles open (or being opened) now. */
  get size(): number {
    return this.open.size + this.reserved;
  }

  /**
   * Makes room for one more handle, parking idle ones if needed, and reserves it: follow with
   * {@link opened} once the handle is open, or {@link cancel} if opening failed.
   */
  async reserve(): Promise<void> {
    for (const holder of this.open) {
      if (this.size < this.max) break;
      if (!holder.parkable) continue;
      this.open.delete(holder);
      await holder.park();
    }
    this.reserved++;
  }

  /** A reserved slot now holds `holder`'s handle. */
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

  /** `holder` closed its handle for good. */
  closed(holder: Parkable): void {
    this.open.delete(holder);
  }
}
