import { closeSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { openRegular } from './find-file.js';
import { HEAD_BYTES, readHead } from './head.js';
import { birthOf } from './file-ref.js';
import { isRotatedName } from './rotated-name.js';
import { fromOsBytes, osPath } from '../os-path.js';

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

/**
 * Files in a rotated-name form of `name` that may be generations of it never seen: not known, regular,
 * born after `after` and not after `before` (ms), and not a copy of a known file (their first bytes are
 * not those of a file in `heads`), and not born while the name was `occupied` by a known file. Oldest
 * first.
 * @internal
 */
export function findUnseen(
  name: string,
  known: Known,
  after: number,
  before: number,
  heads: readonly Buffer[],
  occupied: (born: number, st: Stats) => boolean = () => false,
): Sighting[] {
  const found: Sighting[] = [];
  for (const candidate of rotatedSiblings(name, known)) {
    const born = birthOf(candidate.st);
    // File times tick coarsely (a few ms): a file born in the same tick as the one before may be later.
    if (born < after || born > before) continue;
    // Born while a known file was still at the name: it never held the name (a copy, if anything).
    if (occupied(born, candidate.st)) continue;
    if (candidate.st.size > 0 && heads.some((head) => startsLike(candidate.path, head))) continue;
    found.push(candidate);
  }
  return found.sort(byBirth);
}

/** What a file in a rotated-name form is to a generation being read (see {@link judgeCopy}). @internal */
export type CopyVerdict = 'copy' | 'not-yet' | 'read' | 'unrelated';

/** What {@link judgeCopy} needs of the generation. @internal */
export interface CopiedFile {
  /** The first bytes read so far (up to 1 KiB; empty when nothing was read). */
  readonly readHead: Buffer;
  /** Where the unfinished line starts: bytes before it were read. */
  readonly lineStart: number;
  /** The file's first bytes (up to 1 KiB), size and modification time now. */
  now(): { readonly head: Buffer; readonly size: number; readonly mtimeMs: number } | undefined;
}

/**
 * Whether `candidate` is the copy a `copytruncate` rotation made of `file` (the file at the name when
 * the copy was born) before truncating it, holding bytes that were not read: it starts with what was
 * read of the file, it is longer than what was read, and (unless the file is known to be `truncated`)
 * the file was modified after the copy was born and no longer holds what the copy holds: it is shorter,
 * or starts with other bytes. `not-yet`: it may be such a copy, but the file holds what it holds (the
 * truncation may follow). `read`: a copy of what was read already. `unrelated`: anything else, also a file
 * not modified since the candidate was born that does not hold what the candidate holds.
 * @internal
 */
export function judgeCopy(candidate: Sighting, file: CopiedFile, truncated: boolean): CopyVerdict {
  const head = headOf(candidate.path);
  if (!head || head.length === 0) return 'unrelated';
  // Its size now: a copy may still be being written (the head was read after the listing's stat).
  candidate = { ...candidate, st: statSync(candidate.path, { throwIfNoEntry: false }) ?? candidate.st };
  if (file.readHead.length > 0 && !samePrefix(head, file.readHead)) return 'unrelated';
  // A copy of what was read already (`read`): nothing in it to read.
  if (candidate.st.size <= file.lineStart) return sameStart(head, file.readHead) ? 'read' : 'unrelated';
  if (truncated) return 'copy';
  const now = file.now();
  if (!now) return 'unrelated';
  const holds = now.size >= candidate.st.size && samePrefix(head, now.head);
  // Not modified since the copy was born: it holds what it held then, so a copy of it holds that too.
  // One that holds other bytes was made of another file (of the one after it, under a starved follower).
  if (now.mtimeMs < birthOf(candidate.st)) return holds ? 'not-yet' : 'unrelated';
  return holds ? 'not-yet' : 'copy';
}

/**
 * True when `file` has held nothing since time `born` (ms): nothing was read of it, it is empty, and it
 * was last modified before then. No file born since can be a copy of it holding bytes. @internal
 */
export function heldNothingSince(file: CopiedFile, born: number): boolean {
  if (file.readHead.length > 0) return false;
  const now = file.now();
  return now !== undefined && now.size === 0 && now.mtimeMs < born;
}

/**
 * True when the file `candidate` holds bytes (now) and does not start like `chunk`, the first bytes of
 * another file: it cannot be a copy of what that file held when `chunk` was read. @internal
 */
export function startsOtherwise(candidate: Sighting, chunk: Buffer): boolean {
  const head = headOf(candidate.path);
  return head !== undefined && head.length > 0 && chunk.length > 0 && !samePrefix(head, chunk);
}

/** Files in a rotated-name form of `name` that are not `known` and start with the bytes of `head` (not empty). @internal */
export function copiesOf(name: string, known: Known, head: Buffer): Sighting[] {
  return head.length === 0 ? [] : [...rotatedSiblings(name, known)].filter((s) => startsLike(s.path, head));
}

/** Files in a rotated-name form of `name` that are not `known`, oldest first. @internal */
export function rotatedSiblingsOf(name: string, known: Known, entries?: readonly string[]): Sighting[] {
  return [...rotatedSiblings(name, known, entries)].sort(byBirth);
}

/** The rotated-name siblings of `name` (from `entries`, the directory's listing, when given). */
function* rotatedSiblings(name: string, known: Known, listing?: readonly string[]): Generator<Sighting> {
  const dir = path.dirname(name);
  const base = path.basename(name);
  let entries: readonly string[];
  try {
    entries = listing ?? readdirSync(osPath(dir), { encoding: 'buffer' }).map(fromOsBytes);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!isRotatedName(base, entry)) continue;
    const file = path.join(dir, entry);
    let st: Stats | undefined;
    try {
      st = statSync(osPath(file), { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (st && st.isFile() && !known.knows(st)) yield { path: file, st };
  }
}

/** Oldest first; in one tick of the file clock, by inode number (new files mostly get higher ones). */
function byBirth(a: Sighting, b: Sighting): number {
  return birthOf(a.st) - birthOf(b.st) || a.st.ino - b.st.ino;
}

/** True when the file at `file` starts with the bytes of `head` (over the shorter of the two, not empty). */
function startsLike(file: string, head: Buffer): boolean {
  if (head.length === 0) return false;
  const own = headOf(file);
  return own !== undefined && own.length > 0 && sameStart(own, head);
}

/** The first bytes (up to 1 KiB) of the regular file at `file`; undefined when it cannot be read. */
function headOf(file: string): Buffer | undefined {
  const opened = openRegular(file);
  if (!opened) return undefined;
  try {
    return readHead(opened.fd, HEAD_BYTES);
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}

/** Bytes two starts must agree over before one is taken for a copy of the other (one line, at least). */
const TELLING = 64;

/**
 * True when `a` and `b` start alike, over enough bytes to tell: they agree over the length of the
 * shorter, and that is {@link TELLING} bytes or all of the longer. (A file read one byte into, "2",
 * says nothing of a file starting "2026-11-30 …".)
 */
function sameStart(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return n > 0 && n >= Math.min(TELLING, Math.max(a.length, b.length)) && samePrefix(a, b);
}

/** True when `a` and `b` agree over the length of the shorter. */
function samePrefix(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return a.subarray(0, n).equals(b.subarray(0, n));
}
