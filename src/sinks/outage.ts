import type { OutageEvent } from './contract.js';
import { describeSinkError } from './describe.js';

/**
 * The outages of one sink, as `pipeTo`'s `onOutage` hears them: once when sends start failing, once
 * when one works again, however many batches fail or succeed in between.
 * @internal
 * @example
 * ```ts
 * const outages = new Outages('redis://db:6379/0', (event) => console.error(event.message));
 * outages.down(error); // "cannot ship to 'redis://db:6379/0': …; reading paused until it is back"
 * outages.up(); // "'redis://db:6379/0' is back after 3.2 s; reading resumed"
 * ```
 */
export class Outages {
  private readonly sink: string;
  private readonly onOutage: ((event: OutageEvent) => void) | undefined;
  /** Since when sends fail, or undefined. */
  private since: number | undefined;
  /** Outages so far. */
  count = 0;

  constructor(sink: string, onOutage: ((event: OutageEvent) => void) | undefined) {
    this.sink = sink;
    this.onOutage = onOutage;
  }

  /** A send failed with `error`. */
  down(error: unknown): void {
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.count++;
    this.tell({ type: 'down', sink: this.sink, error, message: `cannot ship to '${this.sink}': ${describeSinkError(error)}; reading paused until it is back` });
  }

  /** A send was acknowledged. */
  up(): void {
    if (this.since === undefined) return;
    const downMs = Date.now() - this.since;
    this.since = undefined;
    this.tell({ type: 'up', sink: this.sink, downMs, message: `'${this.sink}' is back after ${(downMs / 1000).toFixed(1)} s; reading resumed` });
  }

  private tell(event: OutageEvent): void {
    try {
      this.onOutage?.(event);
    } catch (error) {
      process.emitWarning(`tail-async: onOutage threw while handling "${event.type}": ${String(error)}`);
    }
  }
}
