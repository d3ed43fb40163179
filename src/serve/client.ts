import type { ServerResponse } from 'node:http';
import { eventId, parseEventId, samePlaceOrBefore } from './event-id.js';
import type { Ring } from './ring.js';

/** Lines, and bytes of text, one SSE event carries at most. */
const EVENT_LINES = 500;
const EVENT_BYTES = 256 * 1024;

/**
 * Where a page is: `streaming` while its socket takes what it is sent; `waiting` while the socket holds
 * more than its buffer (until 'drain'); `closed` once it left or was dropped.
 */
type Phase = 'streaming' | 'waiting' | 'closed';

/**
 * One page connected to the event stream. It is a cursor in the shared {@link Ring}: it is sent lines
 * from its cursor on while its socket takes them, and holds nothing of its own, so a page that does not
 * read costs the server one socket buffer. Once the ring has dropped lines it had not been sent yet, it
 * is dropped (told so first, with the count); its next connection resumes after the last line it got.
 * @internal
 */
export class Client {
  private readonly res: ServerResponse;
  private readonly ring: Ring;
  private readonly run: string;
  private readonly onDropped: (client: Client, missed: number) => void;
  /** The sequence number of the next line to send. */
  private next: number;
  private phase: Phase = 'streaming';
  /** The input ended: told once every held line is sent. */
  private ended: { readonly error?: string } | undefined;
  private endSent = false;
  /** A page of an earlier run of the server: the position of the last line it had, skipped up to in its file. */
  private skipUpTo: string | undefined;
  /** Settles when the socket drains or closes (see {@link drained}). */
  private drain: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(res: ServerResponse, ring: Ring, run: string, onDropped: (client: Client, missed: number) => void) {
    this.res = res;
    this.ring = ring;
    this.run = run;
    this.onDropped = onDropped;
    this.next = ring.oldest;
    res.on('drain', () => {
      if (this.phase === 'waiting') this.phase = 'streaming';
      this.settleDrain();
      this.pump();
    });
    res.on('close', () => {
      this.phase = 'closed';
      this.settleDrain();
    });
  }

  /** True while its socket holds more than its buffer. */
  get waiting(): boolean {
    return this.phase === 'waiting';
  }

  /** Resolves once the socket has taken what it holds (or closed). */
  drained(): Promise<void> {
    if (this.phase !== 'waiting') return Promise.resolve();
    if (!this.drain) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.drain = { promise, resolve };
    }
    return this.drain.promise;
  }

  private settleDrain(): void {
    this.drain?.resolve();
    this.drain = undefined;
  }

  /**
   * Sets where this page starts from the id of the last event it had (the `Last-Event-ID` header of a
   * reconnection): just after that line, telling it how many lines it missed when the ring no longer
   * holds them all; without an id (or an unknown one), at the oldest held line.
   */
  resumeAfter(lastId: string | undefined): void {
    const last = parseEventId(lastId);
    if (!last) return;
    if (last.run === this.run) {
      this.next = Math.min(last.seq + 1, this.ring.newest + 1);
      const missed = this.ring.oldest - this.next;
      if (missed > 0) {
        this.send('missed', { count: missed });
        this.next = this.ring.oldest;
      }
      return;
    }
    // A page of an earlier run of the server: the lines of that file up to the one it had are skipped (this
    // run may read them again); what was written while no server ran may be missing, and cannot be counted.
    this.skipUpTo = last.position;
    this.send('missed', { count: null });
  }

  /** Tells the page what it needs before the first line (the most lines it keeps). */
  hello(info: object): void {
    this.send('hello', info);
  }

  /** The input ended (with an error message, when it failed): the page is told after the lines held. */
  end(error?: string): void {
    this.ended = error === undefined ? {} : { error };
    this.pump();
  }

  /** Sends every line from the cursor on, while the socket takes them. */
  pump(): void {
    // Also while waiting for 'drain': a page that stopped reading is dropped once it is behind the ring.
    if (this.phase !== 'closed' && this.next < this.ring.oldest) {
      this.drop(this.ring.oldest - this.next);
      return;
    }
    while (this.phase === 'streaming' && this.next <= this.ring.newest) {
      const lines: [string, string][] = [];
      let bytes = 0;
      let last = this.next;
      while (this.next <= this.ring.newest && lines.length < EVENT_LINES && bytes < EVENT_BYTES) {
        const line = this.ring.at(this.next)!;
        last = this.next++;
        if (this.skipUpTo !== undefined) {
          const before = samePlaceOrBefore(line.position, this.skipUpTo);
          if (before === true) continue;
          if (before === false) this.skipUpTo = undefined;
        }
        lines.push([line.source, line.text]);
        bytes += line.text.length;
      }
      if (lines.length === 0) continue;
      const id = eventId(this.run, last, this.ring.at(last)!.position);
      if (!this.write(`id: ${id}\ndata: ${JSON.stringify(lines)}\n\n`)) this.phase = 'waiting';
    }
    if (this.phase === 'streaming' && this.ended && !this.endSent && this.next > this.ring.newest) {
      this.endSent = true;
      this.send('end', this.ended);
    }
  }

  /** A comment line: keeps proxies and the browser from thinking the connection idle. */
  ping(): void {
    if (this.phase === 'streaming') this.write(': ping\n\n');
  }

  /** Ends the response (the server is closing). */
  close(): void {
    this.phase = 'closed';
    this.res.end();
  }

  private send(event: string, data: object): void {
    if (!this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`) && this.phase === 'streaming') this.phase = 'waiting';
  }

  private write(text: string): boolean {
    return this.res.write(text);
  }

  /**
   * The page fell behind by more than the ring holds: told so (behind what its socket holds already), and
   * disconnected; a socket that does not take even that within a few seconds is destroyed.
   */
  private drop(missed: number): void {
    this.phase = 'closed';
    this.res.end(`event: dropped\ndata: ${JSON.stringify({ missed })}\n\n`);
    const timer = setTimeout(() => this.res.destroy(), 5_000);
    timer.unref();
    this.res.once('close', () => clearTimeout(timer));
    this.onDropped(this, missed);
  }
}
