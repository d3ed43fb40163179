import { TailError } from '../errors.js';
import { HEAD_BYTES } from '../sources/head.js';
import { TAIL_BYTES } from './fingerprint.js';

/** The format version this build reads and writes. @internal */
export const CHECKPOINT_VERSION = 1;

/** Most entries a state file keeps: those seen most recently. @internal */
export const MAX_ENTRIES = 100_000;

/** Longest path an entry may hold, in bytes (Linux's PATH_MAX). */
const MAX_PATH_BYTES = 4096;

/** Longest hash an entry may hold (this version writes 16 hex digits). */
const MAX_HASH_LENGTH = 64;

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

/**
 * A state file's content. `problem` says what was dropped from it (malformed entries, entries beyond
 * {@link MAX_ENTRIES}), as a `ERR_CHECKPOINT_CORRUPT` error to report; the rest is usable.
 * @internal
 */
export interface CheckpointState {
  readonly version: typeof CHECKPOINT_VERSION;
  readonly entries: readonly CheckpointEntry[];
  readonly problem?: TailError;
}

/**
 * Parses a state file, trusting nothing in it: every field of every entry is checked against the bounds
 * this version could have written (a head of at most 1 KiB, a tail of at most 64 bytes, safe integers,
 * a sane path), and an entry that fails is dropped, not used. Messages name fields and positions, never
 * the content (a state file may be a link to a secret). Throws a TailError: `ERR_CHECKPOINT_CORRUPT`
 * when nothing is usable, `ERR_CHECKPOINT_VERSION` for another version.
 * @internal
 */
export function parseCheckpoint(text: string, file: string, now = Date.now()): CheckpointState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the input: keep the position only.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    throw corruptStateFile(file, position === undefined ? 'not JSON' : `not JSON (at position ${position})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw corruptStateFile(file, 'not an object');
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== CHECKPOINT_VERSION) {
    if (Number.isSafeInteger(version)) {
      throw new TailError(`state file '${file}' has version ${version as number}; this tail-async reads version ${CHECKPOINT_VERSION}`, {
        code: 'ERR_CHECKPOINT_VERSION',
        source: file,
      });
    }
    throw corruptStateFile(file, 'no version');
  }
  if (!Array.isArray(entries)) throw corruptStateFile(file, 'no entries');
  const kept: CheckpointEntry[] = [];
  let malformed = 0;
  let first = '';
  entries.forEach((entry: unknown, i) => {
    const bad = badField(entry);
    if (bad === undefined) kept.push({ ...(entry as CheckpointEntry), seen: Math.min((entry as CheckpointEntry).seen, now) });
    else if (++malformed === 1) first = `entry ${i}: ${bad}`;
  });
  const within = newest(kept, MAX_ENTRIES);
  const parts: string[] = [];
  if (malformed > 0) parts.push(`${malformed} malformed ${malformed === 1 ? 'entry' : 'entries'} dropped (${first})`);
  if (within.length < kept.length) parts.push(`more than ${MAX_ENTRIES} entries; the ${kept.length - within.length} seen longest ago dropped`);
  const problem = parts.length > 0 ? corruptStateFile(file, parts.join('; ')) : undefined;
  return { version, entries: within, ...(problem && { problem }) };
}

/** The text of a state file. @internal */
export function serializeCheckpoint(entries: readonly CheckpointEntry[]): string {
  return JSON.stringify({ version: CHECKPOINT_VERSION, entries }, null, 1) + '\n';
}

/** The `max` entries seen most recently, in their order; all of them when there are no more. @internal */
export function newest(entries: readonly CheckpointEntry[], max: number): CheckpointEntry[] {
  if (entries.length <= max) return [...entries];
  const cut = entries.map((e) => e.seen).sort((a, b) => b - a)[max - 1]!;
  let room = entries.filter((e) => e.seen > cut).length;
  // Ties at the cut are taken in order until there is no room left.
  return entries.filter((e) => e.seen > cut || (e.seen === cut && room++ < max));
}

/** The first field of `value` that this version could not have written, or undefined when it is whole. */
function badField(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const e = value as Record<string, unknown>;
  if (typeof e.path !== 'string' || e.path === '' || e.path.includes('\0') || Buffer.byteLength(e.path) > MAX_PATH_BYTES) return 'path';
  for (const key of ['dev', 'ino', 'offset', 'line', 'seen']) if (!whole(e[key])) return key;
  if (!whole(e.headLength) || e.headLength > HEAD_BYTES) return 'headLength';
  if (!whole(e.tailLength) || e.tailLength > Math.min(TAIL_BYTES, e.offset as number)) return 'tailLength';
  for (const key of ['headHash', 'tailHash']) if (typeof e[key] !== 'string' || e[key].length > MAX_HASH_LENGTH) return key;
  return undefined;
}

function whole(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The error for a state file that is not what this version writes: reported, then the previous one is tried. @internal */
export function corruptStateFile(file: string, why: string): TailError {
  return new TailError(`state file '${file}' is corrupt: ${why}`, { code: 'ERR_CHECKPOINT_CORRUPT', source: file });
}
