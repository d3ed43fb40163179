import type { Line } from '../lines/line.js';
import type { Ledger } from './ledger.js';
import type { Origin, ResumePoint } from '../sources/resume.js';

/** How often delivered positions are saved at most, in ms. */
const SAVE_EVERY_MS = 1000;

/**
 * Turns "the consumer got these lines" into checkpoint positions. A batch counts as delivered when the
 * consumer asks for the next one (or calls `commit()`, or leaves the loop); a line, when the next line
 * is asked for. Saves are batched: at most about once a second, and once more at the end.
 * @internal
 */
export class DeliveryTracker {
  private readonly ledger: Ledger;
  private readonly report: (error: unknown) => void;
  /** The batch being handed out, and the position reached once all of it is delivered. */
  private origin: Origin | undefined;
  private point: ResumePoint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSave = 0;

  constructor(ledger: Ledger, report: (error: unknown) => void) {
    this.ledger = ledger;
    this.report = report;
    ledger.onRecord = () => this.scheduleSave();
  }

  /** A new batch is handed out (the previous one was delivered first, with {@link deliverBatch}). */
  handOut(origin: Origin | undefined, point: ResumePoint | undefined): void {
    this.origin = origin;
    this.point = point;
  }

  /** A batch whose lines were all filtered out: nothing to hand out, so it is delivered now. */
  passed(origin: Origin | undefined, point: ResumePoint | undefined): void {
    if (origin && point) this.record(origin, point);
  }

  /** One line of the current batch was delivered (per-line iteration without processors). */
  deliverLine(line: Line): void {
    if (this.origin) this.record(this.origin, { offset: line.end, line: line.lineNumber + 1 });
  }

  /** Everything of the current batch was delivered. */
  deliverBatch(): void {
    if (this.origin && this.point) this.record(this.origin, this.point);
  }

  /** Saves what is delivered, and stops the save timer. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ledger.save().catch(this.report);
  }

  private record(origin: Origin, point: ResumePoint): void {
    this.ledger.record(origin, point);
  }

  /** Saves soon: at once if the last save is a second old, else a second after it. */
  private scheduleSave(): void {
    if (this.timer) return;
    const wait = Math.max(this.lastSave + SAVE_EVERY_MS - Date.now(), 0);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastSave = Date.now();
      this.ledger.save().catch(this.report);
    }, wait);
  }
}
