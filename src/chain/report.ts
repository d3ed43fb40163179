import type { ProcessorError } from '../errors.js';

/** How many failures are written out in full before they are only counted. */
const BURST = 5;
/** How often the count of the failures not written out is given, in ms. */
const SUMMARY_EVERY_MS = 10_000;

/**
 * A reporter of processor failures that cannot flood its output: the first few failures are written in
 * full, then a count every 10 s (and a last one at `close()`).
 * @internal
 */
export class ErrorReporter {
  private readonly write: (message: string) => void;
  private written = 0;
  private suppressed = 0;
  private latest: ProcessorError | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(write: (message: string) => void) {
    this.write = write;
  }

  readonly report = (error: ProcessorError): void => {
    // One a processor at most: said in full, and not counted among the lines' failures.
    if (error.phase !== 'line') {
      this.write(error.message);
      return;
    }
    if (this.written < BURST) {
      this.written++;
      this.write(error.message + (this.written === BURST ? ' (further errors are counted, not shown)' : ''));
      return;
    }
    this.suppressed++;
    this.latest = error;
    if (!this.timer) {
      this.timer = setTimeout(() => this.summarize(), SUMMARY_EVERY_MS);
      this.timer.unref();
    }
  };

  /** Writes the count of failures not yet written out, if any. */
  summarize(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0 || !this.latest) return;
    this.write(`${this.suppressed} more processor error${this.suppressed === 1 ? '' : 's'} (latest: ${this.latest.message})`);
    this.suppressed = 0;
  }

  close(): void {
    this.summarize();
  }
}
