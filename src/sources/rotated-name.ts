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
