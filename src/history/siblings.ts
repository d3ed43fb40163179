import { readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** How a rotated file's bytes are stored: as they are, or compressed by a codec tail-async can stream. */
export type Storage = 'plain' | 'gzip' | 'zstd';

/** Compression suffixes logrotate and friends write, and how each is read (`undefined`: not supported). */
const SUFFIXES: ReadonlyArray<readonly [string, Storage | undefined]> = [
  ['.gz', 'gzip'],
  ['.zst', 'zstd'],
  ['.bz2', undefined],
  ['.xz', undefined],
  ['.lz4', undefined],
  ['.lzma', undefined],
  ['.lzo', undefined],
  ['.zip', undefined],
  ['.Z', undefined],
];

/** Fewer digits than this after `NAME.` is a rotation number; this many or more, a date. */
const DATE_DIGITS = 8;

/** What a rotated name says about its place in the history of `NAME`. @internal */
export type RotationKey = { readonly kind: 'number'; readonly n: number } | { readonly kind: 'date'; readonly digits: string };

/** A rotated sibling of a followed name. @internal */
export interface Sibling {
  readonly path: string;
  /** How its bytes are stored; `undefined` for a compression no codec here reads (reported, skipped). */
  readonly storage: Storage | undefined;
  readonly key: RotationKey;
  readonly st: Stats;
}

/**
 * What the directory entry `entry` is of the file `base` (both base names), if it is one of its rotated
 * forms: `base.N` and `base.N.gz` (logrotate without `dateext`, log4j, Python's size rotation),
 * `base-DATE` and `base-DATE.gz` (logrotate's `dateext`, any `dateformat` made of digits and `-_.:T`:
 * `-%Y%m%d`, `-%Y%m%d%H`, `-%Y-%m-%d`, `-%s`…), and `base.DATE` (Python's timed rotation).
 * @internal
 * @example
 * ```ts
 * rotationOf('app.log', 'app.log.2.gz'); // { key: { kind: 'number', n: 2 }, storage: 'gzip' }
 * rotationOf('app.log', 'app.log-20261201'); // { key: { kind: 'date', digits: '20261201' }, storage: 'plain' }
 * ```
 */
export function rotationOf(base: string, entry: string): { key: RotationKey; storage: Storage | undefined } | undefined {
  if (entry.length <= base.length + 1 || !entry.startsWith(base)) return undefined;
  let rest = entry.slice(base.length);
  let storage: Storage | undefined = 'plain';
  for (const [suffix, codec] of SUFFIXES) {
    if (rest.endsWith(suffix)) {
      rest = rest.slice(0, -suffix.length);
      storage = codec;
      break;
    }
  }
  const sep = rest[0];
  const middle = rest.slice(1);
  if ((sep !== '.' && sep !== '-') || !/^\d[\d_.:T-]*$/.test(middle) || /\D$/.test(middle)) return undefined;
  const digits = middle.replace(/\D/g, '');
  if (sep === '.' && digits === middle && digits.length < DATE_DIGITS) return { key: { kind: 'number', n: Number(digits) }, storage };
  if (digits.length >= DATE_DIGITS) return { key: { kind: 'date', digits }, storage };
  return undefined;
}

/**
 * The rotated siblings of the followed file `name` in its directory, oldest first. Numbered ones go by
 * their number (the highest is the oldest); dated ones by their date, when every date has as many digits
 * (one `dateformat`: its fields run from the year down, so their digits sort as time does), else by
 * modification time; the two kinds, when both are there, are merged by modification time, each keeping
 * its own order.
 * @internal
 */
export function rotatedSiblings(name: string): Sibling[] {
  const dir = path.dirname(name);
  const base = path.basename(name);
  let listing: string[];
  try {
    listing = readdirSync(dir);
  } catch {
    return [];
  }
  const numbered: Sibling[] = [];
  const dated: Sibling[] = [];
  for (const entry of listing) {
    const rotation = rotationOf(base, entry);
    if (!rotation) continue;
    const full = path.join(dir, entry);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    (rotation.key.kind === 'number' ? numbered : dated).push({ path: full, storage: rotation.storage, key: rotation.key, st });
  }
  numbered.sort((a, b) => num(b) - num(a) || a.st.mtimeMs - b.st.mtimeMs);
  const lengths = new Set(dated.map((s) => digits(s).length));
  if (lengths.size <= 1) dated.sort((a, b) => (digits(a) < digits(b) ? -1 : digits(a) > digits(b) ? 1 : a.st.mtimeMs - b.st.mtimeMs));
  else dated.sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
  return mergeByMtime(numbered, dated);
}

/**
 * True when `file` is a rotated form of one of `names` (in the same directory): with history read, it
 * is part of that name's history, not a name to follow of its own.
 * @internal
 */
export function isSiblingOfAny(file: string, names: Iterable<string>): boolean {
  const dir = path.dirname(file);
  const entry = path.basename(file);
  for (const name of names) {
    if (name !== file && path.dirname(name) === dir && rotationOf(path.basename(name), entry)) return true;
  }
  return false;
}

/** Of `paths`, those that are rotated forms of another of them (`app.log.1` beside `app.log`). @internal */
export function rotatedAmong(paths: readonly string[]): Set<string> {
  return new Set(paths.filter((file) => isSiblingOfAny(file, paths)));
}

const num = (s: Sibling) => (s.key.kind === 'number' ? s.key.n : 0);
const digits = (s: Sibling) => (s.key.kind === 'date' ? s.key.digits : '');

/** Two lists, each in its own order, merged by modification time: at each step the older head goes first. */
function mergeByMtime(a: Sibling[], b: Sibling[]): Sibling[] {
  const out: Sibling[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.st.mtimeMs <= b[j]!.st.mtimeMs)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
