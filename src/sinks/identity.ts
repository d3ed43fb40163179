import { fstat } from 'node:fs';
import { promisify } from 'node:util';
import type { Line } from '../lines/line.js';
import type { Origin } from '../sources/resume.js';
import type { FileIdentity, SinkLine } from './contract.js';

const fstatAsync = promisify(fstat);

/** What is known of one file (as read under one name) while its lines are shipped. */
interface FileState {
  readonly file: FileIdentity;
  /** `host:dev:ino:born:` — the start of every key of its lines. */
  readonly prefix: string;
  epoch: number;
  /** Offset and part of the last line shipped. */
  offset: number;
  part: number;
}

/**
 * Names each shipped line (see {@link SinkLine}): the file's identity, looked up once per file through
 * the descriptor its lines were read with; the epoch, which goes up when a file goes back to an earlier
 * offset (truncated in place); and the part, which tells apart the lines a processor made of one line.
 * @internal
 * @example
 * ```ts
 * const names = new LineNames('web-1');
 * const records = await names.of(batch, (i) => origins[i]); // records[0].key === 'web-1:2049:131:1732…:0:0:0'
 * ```
 */
export class LineNames {
  private readonly host: string;
  private readonly files = new WeakMap<Origin, FileState>();

  constructor(host: string) {
    this.host = host;
  }

  /** The records of `batch`, in order; `originOf(i)` is the file line i was read from (none for a stream). */
  async of(batch: readonly Line[], originOf: (i: number) => Origin | undefined): Promise<SinkLine[]> {
    const out: SinkLine[] = new Array(batch.length);
    let origin: Origin | undefined;
    let state: FileState | undefined;
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i]!;
      const from = originOf(i);
      if (from !== origin || state === undefined) {
        origin = from;
        state = from ? (this.files.get(from) ?? (await this.track(from))) : undefined;
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
      out[i] = new FileLine(line, this.host, state.file, state.epoch, state.part, state.prefix);
    }
    return out;
  }

  private async track(origin: Origin): Promise<FileState> {
    let born = 0;
    try {
      born = (await origin.use((fd) => fstatAsync(fd))).birthtimeMs;
    } catch {
      // Closed for good already: without a birth time the keys differ from another run's (a replay
      // may then be stored twice, never dropped).
    }
    const file = { dev: origin.dev, ino: origin.ino, born };
    const state = { file, prefix: `${this.host}:${file.dev}:${file.ino}:${born}:`, epoch: 0, offset: -1, part: 0 };
    this.files.set(origin, state);
    return state;
  }
}

/** A line of a file; its key is made when a sink asks for it (Redis never does: one string less a line). */
class FileLine implements SinkLine {
  readonly line: Line;
  readonly host: string;
  readonly file: FileIdentity;
  readonly epoch: number;
  readonly part: number;
  private readonly prefix: string;

  constructor(line: Line, host: string, file: FileIdentity, epoch: number, part: number, prefix: string) {
    this.line = line;
    this.host = host;
    this.file = file;
    this.epoch = epoch;
    this.part = part;
    this.prefix = prefix;
  }

  get key(): string {
    return `${this.prefix}${this.epoch}:${this.line.offset}:${this.part}`;
  }
}
