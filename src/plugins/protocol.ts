/**
 * The messages between a plugin's worker thread and the engine. Lines travel in batches, as columns
 * (their texts, and seven numbers a line), so that a batch is one structured clone of two arrays rather
 * than of an object a line. Measured here, a round trip of 2 600 lines costs about 0.45 ms, 0.3 ms of it
 * the thread hand-over itself (their texts joined into one string cost more: 0.8–1.2 ms). Outcomes come
 * back the same way, in one message once the request is answered; each is also written to the thread's
 * journal (shared memory, see journal.ts) as soon as its line is done, for when the thread has to be
 * ended before it answers (decoding texts from there costs more than the clone: about 0.15 µs a text).
 * A line is known on both sides by its sequence number.
 * @internal
 */

/**
 * Numbers a line carries in {@link BatchRequest.meta}: its sequence number, the index of its source, its
 * line number, offset and end (of the span, for an event), the code of its terminator and the end of its
 * first line (what `ctx.line` says).
 */
export const META = 7;

/** The line terminators, by their code in {@link BatchRequest.meta}. */
export const EOLS = ['\n', '\r\n', '\0', ''] as const;

/** Indexes of the progress counters shared with the worker (the head of its journal, see journal.ts). */
export const PROGRESS = {
  /** The request the worker is working on. */
  request: 0,
  /** How many of its lines (or flushes) it has started: the one it is in is this minus one. */
  started: 1,
  /** 1 while it waits for a thenable (its own timer then ends the wait), 0 while it runs the plugin's code. */
  waiting: 2,
  /** How many of its outcomes are in the journal. */
  done: 3,
} as const;

export interface LoadRequest {
  readonly type: 'load';
  readonly url: string;
  readonly spec: string;
}

export interface BatchRequest {
  readonly type: 'batch';
  readonly id: number;
  readonly texts: string[];
  readonly sources: string[];
  /** {@link META} numbers a line. */
  readonly meta: Float64Array;
  /** The text as read, for the lines an earlier processor changed (what `ctx.line.text` says). */
  readonly originals: Record<number, string>;
  readonly timeoutMs: number;
  /** Stop at the first line that fails (the `stop` policy). */
  readonly stopAtFailure: boolean;
}

export interface FlushRequest {
  readonly type: 'flush';
  readonly id: number;
  readonly reason: 'idle' | 'end';
  readonly timeoutMs: number;
}

export interface CloseRequest {
  readonly type: 'close';
  readonly id: number;
}

export type Request = LoadRequest | BatchRequest | FlushRequest | CloseRequest;

/** A failure as it crosses the thread boundary. */
export interface WireError {
  readonly failure: string;
}

/** An emitted entry: a string, or a text placed from one line to another (by sequence number; -1: not a line it was given). */
export type WireEntry = string | { readonly text: string; readonly first: number; readonly last: number };

/** One line's outcome: keep (undefined), drop (null), replace, expand, or a failure. */
export type WireOutcome = undefined | null | string | WireEntry[] | WireError;

export interface Loaded {
  readonly type: 'loaded';
  readonly name: string;
  readonly flush: boolean;
  readonly close: boolean;
  readonly idleFlushMs: number | undefined;
}

export interface LoadFailed {
  readonly type: 'load-failed';
  readonly message: string;
}

/** Every outcome of a request (also in the journal, which is read only when the thread is ended before it answers). */
export interface Answered {
  readonly type: 'answered';
  readonly id: number;
  readonly outcomes: WireOutcome[];
}

export interface Closed {
  readonly type: 'closed';
  readonly id: number;
  readonly error: string | undefined;
}

export type Reply = Loaded | LoadFailed | Answered | Closed;

/** True for a {@link WireError}. */
export function isWireError(outcome: WireOutcome): outcome is WireError {
  return typeof outcome === 'object' && outcome !== null && !Array.isArray(outcome);
}

/** A thrown value as one line of text, for a report. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}
