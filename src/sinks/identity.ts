import type { Line } from '../lines/line.js';
import type { ReadChunk } from '../lines/chunk.js';
import type { Origin } from '../sources/resume.js';
import type { FileIdentity, SinkLine } from './contract.js';

/** What is known of one file (as read under one name) while its lines are shipped. */
interface FileState {
  readonly host: string;
  readonly file: FileIdentity;
  /** `host:dev:ino:born:` — the start of every key of its lines. */
  readonly prefix: string;
  epoch: number;
  /** Offset and part of the last line shipped. */
  offset: number;
  part: number;
}

/**
 * Names each shipped line (see {@link SinkLine}): the file's identity (device, inode and birth time, as
 * the source knows them); the epoch, which goes up when a file goes back to an earlier offset (truncated
 * in place); and the part, which tells apart the lines a processor made of one line.
 * @internal
 * @example
 * ```ts
 * const names = new LineNames('web-1');
 * const records = names.of(batch, (i) => origins[i]); // records[0].key === 'web-1:2049:131:1732…:0:0:0'
 * ```
 */
export class LineNames {
  private readonly host: string;
  private readonly files = new WeakMap<Origin, FileState>();

  constructor(host: string) {
    this.host = host;
  }

  /**
   * The records of `batch`, in order; `originOf(i)` is the file line i was read from (none for a stream),
   * `chunk` the bytes of the read the batch was framed from, if they are known (see `sinks/raw.ts`).
   */
  of(batch: readonly Line[], originOf: (i: number) => Origin | undefined, chunk?: ReadChunk): SinkLine[] {
    const out: SinkLine[] = new Array(batch.length);
    let origin: Origin | undefined;
    let state: FileState | undefined;
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i]!;
      const from = originOf(i);
      if (from !== origin || i === 0) {
        origin = from;
        state = from ? (this.files.get(from) ?? this.track(from)) : undefined;
      }
      if (!state) {
        out[i] = { line, host: this.host, file: undefined, epoch: 0, part: 0, key: undefined };
        continue;
      }
      if (line.offset < state.offset) {
        state.epoch++;
        state.part = 0;
      } else if (line.offset === state.offset) state.part++;
      else state.part = 0;
      state.offset = line.offset;
      out[i] = new FileLine(line, state, state.epoch, state.part, chunk);
    }
    return out;
  }

  private track(origin: Origin): FileState {
    const file = { dev: origin.dev, ino: origin.ino, born: origin.born };
    const state = { host: this.host, file, prefix: `${this.host}:${file.dev}:${file.ino}:${file.born}:`, epoch: 0, offset: -1, part: 0 };
    this.files.set(origin, state);
    return state;
  }
}

/**
 * A line of a file: four fields, the rest read from its file's state; its key is made when a sink asks
 * for it (Redis never does: one string less a line).
 */
class FileLine implements SinkLine {
  readonly line: Line;
  private readonly of: FileState;
  readonly epoch: number;
  readonly part: number;
  /** The bytes of the read the line was framed from, when known. */
  readonly chunk: ReadChunk | undefined;

  constructor(line: Line, of: FileState, epoch: number, part: number, chunk: ReadChunk | undefined) {
    this.line = line;
    this.of = of;
    this.epoch = epoch;
    this.part = part;
    this.chunk = chunk;
  }

  get host(): string {
    return this.of.host;
  }

  get file(): FileIdentity {
    return this.of.file;
  }

  get key(): string {
    return `${this.of.prefix}${this.epoch}:${this.line.offset}:${this.part}`;
  }
}

/**
 * The bytes of the read `record` was framed from, when they are known (a line of a file read without
 * processors, while shipping); undefined otherwise. See `sinks/raw.ts`.
 * @internal
 */
export function chunkOf(record: SinkLine): ReadChunk | undefined {
  return record instanceof FileLine ? record.chunk : undefined;
}
