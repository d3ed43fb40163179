import type { ResolvedOptions } from './options.js';
import type { SourceSpec } from './session.js';
import { TailIterator } from './tail-iterator.js';
import { openStateFile } from './checkpoint/preflight.js';
import type { StateLock } from './checkpoint/lock.js';

/**
 * A tail with a state file: the state file is checked and locked before anything is read (see
 * `openStateFile`), and the lock is released when the tail closes, whichever way it closes (its end,
 * `break`, a throw, `close()`, the signal). Everything else is the {@link TailIterator}'s.
 * @internal
 */
export class CheckpointedTail extends TailIterator {
  private readonly stateFile: string;
  private lock: Promise<StateLock> | undefined;
  private locked = false;
  private ended = false;
  private closed: Promise<void> | undefined;

  constructor(specs: SourceSpec[], opts: ResolvedOptions & { readonly checkpoint: string }) {
    super(specs, opts);
    this.stateFile = opts.checkpoint;
  }

  override async open(): Promise<void> {
    if (!this.locked && !this.ended) {
      this.lock ??= openStateFile(this.stateFile);
      try {
        await this.lock;
      } catch (error) {
        await this.close().catch(() => {});
        throw error;
      }
      this.locked = true;
    }
    return super.open();
  }

  override close(): Promise<void> {
    this.ended = true;
    // The lock goes last: the tail's final save is made while it is still held.
    this.closed ??= super.close().finally(() => this.lock?.then((lock) => lock.release(), () => {}));
    return this.closed;
  }
}
