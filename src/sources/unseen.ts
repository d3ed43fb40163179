import { closeSync, fstatSync, openSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { READ_FLAGS } from './find-file.js';
import { HEAD_BYTES, readHead } from './head.js';
import { birthOf } from './file-ref.js';

/**
 * Looking in a followed name's directory for files that held the name while no look saw them: a file
 * created and rotated away between two looks (size-based rolling under load does that), and the copy
 * a `copytruncate` rotation made of a file before truncating it. Synchronous: it runs when a look finds
 * that more happened than it saw, and its result must be known before newer lines are read.
 */

/** A file found in the directory. @internal */
export interface Sighting {
  readonly path: string;
  readonly st: Stats;
}

/** What a sweep must not take for an unseen file. @internal */
export interface Known {
  /** True for a file held now or lately (by this follower or another). */
  knows(st: Stats): boolean;
}

/** Suffixes of compressed files: a rotation tool made them from a rotated file; they are not generations. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzma|lzo|z|zip|Z)$/;

/**
 * True when `entry` is a name a rotation gives a file that was at `base`: `base.N` (logrotate, log4j,
 * Python), `base.SUFFIX` (Python's timed rotation), `base-SUFFIX` (logrotate's `dateext`), compressed
 * forms excluded.
 * @internal
 */
export function isRotatedName(base: string, entry: string): boolean {
  if (entry.length <= base.length + 1 || !entry.startsWith(base)) return false;
  const sep = entry[base.length];
  return (sep === '.' || sep === '-') && !COMPRESSED.test(entry);
}

/**
 * Files in a rotated-name form of `name` that may be generations of it never seen: not known, regular,
 * born after `after` and not after `before` (ms), and not a copy of a known file (their first bytes are
 * not those of a file in `heads`). Oldest first.
 * @internal
 */
export function findUnseen(name: string, known: Known, after: number, before: number, heads: readonly Buffer[]): Sighting[] {
  const found: Sighting[] = [];
  for (const candidate of rotatedSiblings(name, known)) {
    const born = birthOf(candidate.st);
    if (born <= after || born > before) continue;
    if (candidate.st.size > 0 && heads.some((head) => startsLike(candidate.path, head))) continue;
    found.push(candidate);
  }
  return found.sort((a, b) => birthOf(a.st) - birthOf(b.st));
}

/**
 * The copy `copytruncate` made of a file before truncating it: in a rotated-name form of `name`, not
 * known, born after `after`, at least `minSize` bytes long, and starting with `head` (the truncated
 * file's first bytes as read). The newest such file.
 * @internal
 */
export function findCopy(name: string, known: Known, after: number, minSize: number, head: Buffer): Sighting | undefined {
  let best: Sighting | undefined;
  for (const candidate of rotatedSiblings(name, known)) {
    if (birthOf(candidate.st) < after || candidate.st.size < minSize) continue;
    if (!startsLike(candidate.path, head)) continue;
    if (!best || birthOf(candidate.st) > birthOf(best.st)) best = candidate;
  }
  return best;
}

function* rotatedSiblings(name: string, known: Known): Generator<Sighting> {
  const dir = path.dirname(name);
  const base = path.basename(name);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!isRotatedName(base, entry)) continue;
    const file = path.join(dir, entry);
    let st: Stats | undefined;
    try {
      st = statSync(file, { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (st && st.isFile() && !known.knows(st)) yield { path: file, st };
  }
}

/** True when the file at `file` starts with the bytes of `head` (over the shorter of the two, not empty). */
function startsLike(file: string, head: Buffer): boolean {
  if (head.length === 0) return false;
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const own = readHead(fd, Math.min(head.length, HEAD_BYTES));
    return own.length > 0 && own.equals(head.subarray(0, own.length));
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
