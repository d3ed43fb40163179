import type { Stats } from 'node:fs';
import type { Storage } from '../history/siblings.js';

/**
 * The port between the sources and whatever keeps their positions across runs (the checkpoint): the
 * sources depend on these types only, never on the checkpoint itself.
 */

/** Where to resume a file. @internal */
export interface ResumePoint {
  readonly offset: number;
  /** Number of the next line. */
  readonly line: number;
}

/**
 * The file a delivered line was read from: the name it was read under, its identity, and a way to read
 * it through the descriptor the lines came from (opened again if it was closed while idle). One object
 * per opened file and name.
 * @internal
 */
export interface Origin {
  readonly source: string;
  readonly dev: number;
  readonly ino: number;
  /** Birth time in ms (`birthtimeMs`), or 0 where the file system keeps none. */
  readonly born: number;
  /** Runs `fn` with an open descriptor of the file; rejects once the file is closed for good. */
  use<T>(fn: (fd: number) => Promise<T>): Promise<T>;
}

/** Answers where a file resumes after a restart, and hears what was read of it. @internal */
export interface Resumer {
  /** Where the file just opened at `name` resumes; `'start'` when the name's record no longer matches it. */
  resumeAt(name: string, fd: number, st: Stats): Promise<ResumePoint | 'start' | undefined>;
  /**
   * The file last read under `name`, when it is elsewhere now (rotated while stopped, perhaps compressed:
   * then `storage` says how, and `point` is an offset in its decompressed content), and where it resumes.
   */
  movedAway(name: string, current: Stats | undefined): Promise<{ path: string; point: ResumePoint; storage: Storage } | undefined>;
  /** True when the checkpoint has a record of `name` (then it, not the start position or a backfill, says where to begin). */
  knows(name: string): boolean;
  /** A file was opened at the start: where reading begins counts as delivered until lines are. */
  started(origin: Origin, point: ResumePoint): void;
  /**
   * Like {@link started}, once every line handed out so far is delivered (lines read before this file that
   * carry no position of their own: a name's history); never, if lines of the file are delivered first.
   */
  startedAfterDelivered(origin: Origin, point: ResumePoint): void;
  /** A file is about to be closed: fingerprint its delivered position while it is still open. */
  settle(origin: Origin): Promise<void>;
}
