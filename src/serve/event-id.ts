import type { SinkLine } from '../sinks/contract.js';

/**
 * Where a line was read from, as a string: its file's identity (device, inode, birth time), the epoch
 * (times the file went back to an earlier offset in this run), its byte offset and its part (lines a
 * processor made of one line); for a stream, its name and offset. The same line read again keeps its
 * position, whatever the run (the epoch aside: it starts at 0 in every run).
 * @internal
 */
export function positionOf(record: SinkLine): string {
  const { line, file, epoch, part } = record;
  if (!file) return `s:${encodeURIComponent(line.source)}:${line.offset}:${part}`;
  return `f:${file.dev}:${file.ino}:${file.born}:${epoch}:${line.offset}:${part}`;
}

/**
 * Whether the line at `position` is the line at `mark` or one before it in the same file (whatever the
 * run: the epoch is left out); undefined when they are of different files (or streams).
 * @internal
 */
export function samePlaceOrBefore(position: string, mark: string): boolean | undefined {
  const a = place(position);
  const b = place(mark);
  if (a.file !== b.file) return undefined;
  return a.offset < b.offset || (a.offset === b.offset && a.part <= b.part);
}

/** A position read back: its file (or stream), offset and part. */
function place(position: string): { file: string; offset: number; part: number } {
  const parts = position.split(':');
  const part = Number(parts.at(-1));
  const offset = Number(parts.at(-2));
  // A file's identity is its dev, ino and birth time; the epoch (parts[4]) is left out.
  const file = parts[0] === 'f' ? parts.slice(0, 4).join(':') : parts.slice(0, -2).join(':');
  return { file, offset, part };
}

/**
 * The SSE event id of a line: `RUN.SEQ.POSITION`. RUN names the server's run, SEQ counts the lines it
 * served (so that, within a run, what a page missed can be counted), POSITION is {@link positionOf}
 * (so that a page can resume on a server that was restarted, as long as it holds that line again).
 * @internal
 */
export function eventId(run: string, seq: number, position: string): string {
  return `${run}.${seq}.${position}`;
}

/** An event id read back; undefined when it is not one of ours. @internal */
export interface ParsedEventId {
  readonly run: string;
  readonly seq: number;
  readonly position: string;
}

/** Reads an id made by {@link eventId}; undefined for anything else. @internal */
export function parseEventId(id: string | undefined): ParsedEventId | undefined {
  const match = id === undefined ? null : /^([A-Za-z0-9_-]+)\.(\d+)\.([fs]:[^\s]*)$/.exec(id);
  if (!match) return undefined;
  const seq = Number(match[2]);
  return Number.isSafeInteger(seq) ? { run: match[1]!, seq, position: match[3]! } : undefined;
}
