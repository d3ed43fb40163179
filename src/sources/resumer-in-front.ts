import type { Stats } from 'node:fs';
import type { Origin, Resumer, ResumePoint } from './resume.js';

/**
 * A start position that sits where the checkpoint would (the sources' `Resumer` port), in front of it
 * when there is one: a file the checkpoint knows resumes there; any other file opened at the start
 * begins at {@link startAt}. Everything else is the checkpoint's.
 * @internal
 * @example
 * ```ts
 * class FromTheTop extends ResumerInFront {
 *   protected async startAt() { return { offset: 0, line: 1 }; }
 * }
 * ```
 */
export abstract class ResumerInFront implements Resumer {
  constructor(private readonly inner: Resumer | undefined) {}

  async resumeAt(name: string, fd: number, st: Stats): Promise<ResumePoint | 'start' | undefined> {
    const resumed = await this.inner?.resumeAt(name, fd, st);
    if (resumed !== undefined) return resumed;
    return this.startAt(fd, st);
  }

  /** Where a file the checkpoint does not know begins; `'start'` for its first byte. */
  protected abstract startAt(fd: number, st: Stats): Promise<ResumePoint | 'start'>;

  movedAway(name: string, current: Stats | undefined): ReturnType<Resumer['movedAway']> {
    return this.inner ? this.inner.movedAway(name, current) : Promise.resolve(undefined);
  }

  knows(name: string): boolean {
    return this.inner?.knows(name) ?? false;
  }

  started(origin: Origin, point: ResumePoint): void {
    this.inner?.started(origin, point);
  }

  startedAfterDelivered(origin: Origin, point: ResumePoint): void {
    this.inner?.startedAfterDelivered(origin, point);
  }

  settle(origin: Origin): Promise<void> {
    return this.inner ? this.inner.settle(origin) : Promise.resolve();
  }
}
