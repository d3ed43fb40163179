import { TailError } from '../errors.js';

/** The format version this build reads and writes. @internal */
export const CHECKPOINT_VERSION = 1;

/**
 * Where reading of one file stopped: the file's identity, fingerprints of its first bytes and of the
 * bytes just before the offset (so a file truncated or replaced while tail-async was stopped is not
 * resumed mid-content), the offset just past the last delivered line and that line's successor number.
 * @internal
 */
export interface CheckpointEntry {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly offset: number;
  /** Number of the next line. */
  readonly line: number;
  readonly headLength: number;
  readonly headHash: string;
  readonly tailLength: number;
  readonly tailHash: string;
  /** When the entry was last updated (ms since epoch): old entries of files gone are dropped. */
  readonly seen: number;
}

/** A state file's content. @internal */
export interface CheckpointState {
  readonly version: typeof CHECKPOINT_VERSION;
  readonly entries: readonly CheckpointEntry[];
}

/** Parses a state file. Throws a TailError: `ERR_CHECKPOINT_CORRUPT` or `ERR_CHECKPOINT_VERSION`. @internal */
export function parseCheckpoint(text: string, file: string): CheckpointState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `not JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null) throw corrupt(file, 'not an object');
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== CHECKPOINT_VERSION) {
    if (typeof version === 'number') {
      throw new TailError(`state file '${file}' has version ${version}; this tail-async reads version ${CHECKPOINT_VERSION}`, {
        code: 'ERR_CHECKPOINT_VERSION',
        source: file,
      });
    }
    throw corrupt(file, 'no version');
  }
  if (!Array.isArray(entries)) throw corrupt(file, 'no entries');
  entries.forEach((entry, i) => {
    if (!isEntry(entry)) throw corrupt(file, `entry ${i} is malformed`);
  });
  return { version, entries: entries as CheckpointEntry[] };
}

/** The text of a state file. @internal */
export function serializeCheckpoint(entries: readonly CheckpointEntry[]): string {
  return JSON.stringify({ version: CHECKPOINT_VERSION, entries }, null, 1) + '\n';
}

function isEntry(value: unknown): value is CheckpointEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const whole = (k: string) => Number.isSafeInteger(e[k]) && (e[k] as number) >= 0;
  return (
    typeof e.path === 'string' &&
    ['dev', 'ino', 'offset', 'line', 'headLength', 'tailLength', 'seen'].every(whole) &&
    typeof e.headHash === 'string' &&
    typeof e.tailHash === 'string'
  );
}

function corrupt(file: string, why: string): TailError {
  return new TailError(`state file '${file}' is corrupt: ${why}`, { code: 'ERR_CHECKPOINT_CORRUPT', source: file });
}
