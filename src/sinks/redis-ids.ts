import type { SinkLine } from './contract.js';

/** Lines a processor made of one line get parts 0…999 of its ID (see {@link EntryIds}). */
const PARTS = 1000;
/** Generations remembered with a moved base (see {@link EntryIds.move}); beyond, the oldest are dropped. */
const MAX_MOVED = 10_000;

/**
 * Stream entry IDs derived from where a line was read, so that a line shipped again (a retry, or a
 * replay after a crash) gets the ID it got the first time and Redis refuses it (`XADD` of an ID not
 * above the stream's last one fails) instead of storing it twice. On a stream per file:
 *
 *   `<ms>-<seq>`: `ms` = the file's birth time in ms (+ the epoch: a file truncated in place starts a
 *   new range), `seq` = offset × 1000 + part.
 *
 * Within a file IDs grow with the offset, and a file born later (rotation) starts above the one before.
 * When that order does not hold (late lines of a rotated file after the new file's, a file without birth
 * time, a truncation seen by another run), a refused line is not taken for a duplicate on the strength of
 * its ID: the entry with that ID is read back and compared (file, offset, line number, text, host). Only
 * the same line counts as a duplicate; another is stored with an ID made by Redis, and the rest of its
 * file goes on above it ({@link move}).
 * @internal
 * @example
 * ```ts
 * const ids = new EntryIds();
 * ids.of(record); // '1732800000123-5000000' for the line at offset 5000 of a file born at …123 ms
 * ```
 */
export class EntryIds {
  /** Generations (file identity and epoch, per stream) whose IDs continue above a Redis-made one. */
  private readonly moved = new Map<string, number>();

  /** The entry ID for `record` in stream `key`: derived, or `*` (Redis makes it) for a stream's lines. */
  of(record: SinkLine, key: string): string {
    const file = record.file;
    if (!file) return '*';
    const ms = this.moved.get(generation(record, key)) ?? Math.max(1, Math.floor(file.born)) + record.epoch;
    return `${ms}-${seq(record.line.offset, record.part)}`;
  }

  /** `record`'s file goes on above `id` (made by Redis for a line that could not have its own). */
  move(record: SinkLine, key: string, id: string): void {
    if (!record.file) return;
    if (this.moved.size >= MAX_MOVED) this.moved.delete(this.moved.keys().next().value!);
    this.moved.set(generation(record, key), Number(id.slice(0, id.indexOf('-'))) + 1);
  }
}

/** True when `fields` (an entry's `[name, value, …]`) hold this very line. @internal */
export function sameLine(fields: readonly string[], record: SinkLine): boolean {
  const get = (name: string) => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  };
  const { line } = record;
  return get('offset') === String(line.offset) && get('line') === String(line.lineNumber) && get('file') === line.source && get('host') === record.host && get('text') === line.text;
}

/** The error Redis answers an `XADD` whose ID is not above the stream's last one. @internal */
export function isIdConflict(error: Error): boolean {
  return /equal or smaller than the target stream top item/.test(error.message);
}

function generation(record: SinkLine, key: string): string {
  const { file } = record;
  return `${key}\0${file!.dev}:${file!.ino}:${file!.born}:${record.epoch}`;
}

function seq(offset: number, part: number): string {
  const n = offset * PARTS + part;
  return Number.isSafeInteger(n) ? String(n) : String(BigInt(offset) * BigInt(PARTS) + BigInt(part));
}
