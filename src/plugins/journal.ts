/**
 * The outcomes of a plugin's lines, written by its worker thread into memory shared with the engine as
 * each line is done, so that the engine knows them at every moment: also while the plugin is stuck on a
 * later line (a synchronous endless loop, a promise that never settles) and once its thread is ended.
 * One journal per thread; it holds the outcomes of the request in progress, in order, and is rewritten
 * from its start by the next one. The engine reads it only when it ends a thread before its answer: the
 * answer carries the outcomes too (a structured clone is cheaper to take than texts decoded from here).
 *
 * Layout: four 32-bit counters (see {@link PROGRESS}), then one entry per outcome: a kind byte, and for a
 * text its length (4 bytes, little-endian) and its UTF-8 bytes. Keep and drop take one byte. What is not
 * a plain text (an array of entries, a failure, a string with a lone surrogate, which UTF-8 cannot carry)
 * is a text of JSON. The counter of outcomes is stored after the entry is written (an atomic store): an
 * entry the engine counts is complete.
 * @internal
 * @example
 * ```ts
 * const journal = Journal.create();            // engine: one per thread, handed over in workerData
 * const out = new JournalWriter(journal.buffer); // worker
 * out.begin(7); out.record('NEW TEXT');
 * journal.outcomes(7);                          // engine: ['NEW TEXT']
 * ```
 */
import { PROGRESS, type WireOutcome } from './protocol.js';

const HEADER = 16;
const KEEP = 0;
const DROP = 1;
const TEXT = 2;
const JSON_TEXT = 3;
/** Room at the start; the buffer grows as a request needs (it is shared memory: it never shrinks). */
const INITIAL_BYTES = 64 * 1024;
/**
 * Address space reserved for growth. The outcomes of one batch do not come near it (a batch reads at
 * most a few MiB, lines at most 16 MiB); where it cannot be reserved (a limit on virtual memory), less is.
 */
const MAX_BYTES = [2 ** 30, 2 ** 26] as const;

/** The engine's side of a journal: made before the thread, read when the thread answers, is stuck or ended. @internal */
export class Journal {
  readonly buffer: SharedArrayBuffer;
  /** The counters of {@link PROGRESS}. */
  readonly progress: Int32Array;
  private bytes: Buffer;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.progress = new Int32Array(buffer, 0, HEADER / 4);
    this.bytes = Buffer.from(buffer);
  }

  static create(): Journal {
    for (const maxByteLength of MAX_BYTES) {
      try {
        return new Journal(new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength }));
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
    }
    return new Journal(new SharedArrayBuffer(INITIAL_BYTES));
  }

  /** How many outcomes of request `id` are written (0 when the thread has not taken it up). */
  answered(id: number): number {
    return Atomics.load(this.progress, PROGRESS.request) === id ? Atomics.load(this.progress, PROGRESS.done) : 0;
  }

  /** Whether the thread has taken request `id` up. */
  took(id: number): boolean {
    return Atomics.load(this.progress, PROGRESS.request) === id;
  }

  /** The outcomes of request `id` written so far, in order. */
  outcomes(id: number): WireOutcome[] {
    const count = this.answered(id);
    // The thread may have grown the buffer since the last look.
    if (this.bytes.length !== this.buffer.byteLength) this.bytes = Buffer.from(this.buffer);
    const bytes = this.bytes;
    const out: WireOutcome[] = new Array(count);
    let pos = HEADER;
    for (let i = 0; i < count; i++) {
      const kind = bytes[pos]!;
      if (kind === KEEP || kind === DROP) {
        out[i] = kind === KEEP ? undefined : null;
        pos += 1;
        continue;
      }
      const length = bytes.readUInt32LE(pos + 1);
      const text = bytes.toString('utf8', pos + 5, pos + 5 + length);
      out[i] = kind === TEXT ? text : (JSON.parse(text) as WireOutcome);
      pos += 5 + length;
    }
    return out;
  }
}

/** The worker's side of a journal. @internal */
export class JournalWriter {
  private readonly buffer: SharedArrayBuffer;
  private readonly progress: Int32Array;
  private bytes: Buffer;
  private pos = HEADER;
  private count = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.progress = new Int32Array(buffer, 0, HEADER / 4);
    this.bytes = Buffer.from(buffer);
  }

  /** Starts the outcomes of request `id` (the counter first: the engine never counts the last request's as this one's). */
  begin(id: number): void {
    this.pos = HEADER;
    this.count = 0;
    Atomics.store(this.progress, PROGRESS.done, 0);
    Atomics.store(this.progress, PROGRESS.started, 0);
    Atomics.store(this.progress, PROGRESS.request, id);
  }

  /** Writes the next outcome, then counts it. */
  record(outcome: WireOutcome): void {
    if (outcome === undefined || outcome === null) {
      this.room(1);
      this.bytes[this.pos++] = outcome === undefined ? KEEP : DROP;
    } else if (typeof outcome === 'string' && outcome.isWellFormed()) {
      this.text(TEXT, outcome);
    } else {
      this.text(JSON_TEXT, JSON.stringify(outcome));
    }
    Atomics.store(this.progress, PROGRESS.done, ++this.count);
  }

  private text(kind: number, text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    this.room(5 + 3 * text.length);
    const bytes = this.bytes;
    const length = bytes.write(text, this.pos + 5, 'utf8');
    bytes[this.pos] = kind;
    bytes.writeUInt32LE(length, this.pos + 1);
    this.pos += 5 + length;
  }

  /** Grows the buffer so that `n` more bytes fit. */
  private room(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    const need = this.pos + n;
    const max = this.buffer.growable ? this.buffer.maxByteLength : this.buffer.byteLength;
    if (need > max) throw new RangeError(`the outcomes of one batch passed ${max} bytes`);
    this.buffer.grow(Math.min(max, Math.max(need, 2 * this.buffer.byteLength)));
    this.bytes = Buffer.from(this.buffer);
  }
}
