import type { ResolvedOptions } from './options.js';
import type { SourceSpec } from './session.js';
import { TailIterator } from './tail-iterator.js';
import { notices, type Notice } from './notices.js';
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
    super(specs, { ...opts, onNotice: typedNotices(opts.onNotice) });
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

/** The checkpoint reports through errors; the one that says its saves work again becomes a `recovered` notice. */
function typedNotices(onNotice: (notice: Notice) => void): (notice: Notice) => void {
  return (notice) => {
    const recovered = notice.type === 'error' && notice.error.code === 'ERR_CHECKPOINT_RECOVERED';
    onNotice(recovered ? notices.recovered(notice.source, notice.message) : notice);
  };
}
