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
 * A line whose ID is not above the stream's last one is not taken for a duplicate on the strength of its
 * ID: the entry with that ID is read back and compared (file, offset, line number, text, host). Only the
 * same line counts as a duplicate. Where the order does not hold for another line (late lines of a
 * rotated file after the new file's, a file without birth time, a truncation seen by another run), its
 * file goes on above the stream's last entry ({@link move}).
 * @internal
 * @example
 * ```ts
 * const ids = new EntryIds();
 * formatId(ids.of(record, key)!); // '1732800000123-5000000': the line at offset 5000 of a file born at …123 ms
 * ```
 */
export class EntryIds {
  /** Generations (file identity and epoch, per stream) whose IDs continue above the stream's last entry. */
  private readonly moved = new Map<string, number>();

  /** The entry ID for `record` in stream `key`; undefined for a stream's lines (Redis makes theirs). */
  of(record: SinkLine, key: string): StreamId | undefined {
    const file = record.file;
    if (!file) return undefined;
    const ms = (this.moved.size > 0 ? this.moved.get(generation(record, key)) : undefined) ?? Math.max(1, Math.floor(file.born)) + record.epoch;
    const n = record.line.offset * PARTS + record.part;
    return { ms, seq: Number.isSafeInteger(n) ? n : BigInt(record.line.offset) * BigInt(PARTS) + BigInt(record.part) };
  }

  /** `record`'s file (and epoch) goes on in stream `key` above `top`, the stream's last ID. */
  move(record: SinkLine, key: string, top: StreamId): void {
    if (!record.file) return;
    if (this.moved.size >= MAX_MOVED) this.moved.delete(this.moved.keys().next().value!);
    this.moved.set(generation(record, key), top.ms + 1);
  }
}

/** A stream entry ID, `ms-seq`, as numbers that compare (a BigInt seq only past 2^53). @internal */
export interface StreamId {
  readonly ms: number;
  readonly seq: number | bigint;
}

/** The ID below every entry (of a stream that does not exist yet). @internal */
export const ZERO_ID: StreamId = { ms: 0, seq: 0 };

/** Parses `ms-seq`. @internal */
export function parseId(id: string): StreamId {
  const dash = id.indexOf('-');
  const seq = Number(id.slice(dash + 1));
  return { ms: Number(id.slice(0, dash)), seq: Number.isSafeInteger(seq) ? seq : BigInt(id.slice(dash + 1)) };
}

/** `ms-seq`. @internal */
export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/**
 * {@link formatId} for IDs in a row that mostly share their `ms` (lines of one file): that part is
 * written once for all of them.
 * @internal
 * @example
 * ```ts
 * const text = new IdText();
 * text.of({ ms: 1732800000123, seq: 5000000 }); // '1732800000123-5000000'
 * ```
 */
export class IdText {
  private ms = -1;
  private prefix = '';

  of(id: StreamId): string {
    if (id.ms !== this.ms) {
      this.ms = id.ms;
      this.prefix = `${id.ms}-`;
    }
    const { seq } = id;
    // offset × 1000 + part is past 2^31 from an offset of 2 MB on: such a number is written out several
    // times slower than the offset and three digits of part (measured, 170–480 ns against 55–90).
    if (typeof seq === 'number' && seq >= PARTS) return this.prefix + Math.floor(seq / PARTS) + partDigits(seq % PARTS);
    return this.prefix + seq;
  }
}

let digits: readonly string[] | undefined;

/** `part` (0…999) in three digits. */
function partDigits(part: number): string {
  digits ??= Array.from({ length: PARTS }, (_, i) => String(i).padStart(3, '0'));
  return digits[part]!;
}

/** True when `id` is above `top` (Redis takes it). @internal */
export function above(id: StreamId, top: StreamId): boolean {
  return id.ms > top.ms || (id.ms === top.ms && id.seq > top.seq);
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

function generation(record: SinkLine, key: string): string {
  const { file } = record;
  return `${key}\0${file!.dev}:${file!.ino}:${file!.born}:${record.epoch}`;
}

