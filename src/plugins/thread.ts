import { Worker } from 'node:worker_threads';
import { AbortError, PluginError } from '../errors.js';
import { timerDelay } from '../timer-delay.js';
import { PROGRESS, type Loaded, type Reply, type Request, type WireOutcome } from './protocol.js';
import { Journal } from './journal.js';
import { INTERRUPTED_CLOSE_MS } from '../chain/run.js';

// Under the test runner this module is the TypeScript source: the worker, which Node runs as it is, is the built one.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? '../../dist/plugins/worker.js' : './worker.js', import.meta.url);

/** How long a plugin's `close()` may take in its thread before the thread is ended. */
export const CLOSE_WAIT_MS = 400;

/**
 * Where a plugin's thread is: not running (never started, or ended: started again on demand), loading
 * the plugin, waiting for a request, working on one, closing the plugin, or closed for good.
 */
type Phase = 'stopped' | 'starting' | 'idle' | 'busy' | 'closing' | 'closed';

/**
 * What a request got: the outcomes of its first items; if the thread ended before the rest, why and on
 * which item (-1: before it took the request up at all, as when it was already ending); if the run was
 * interrupted (or the plugin closed) before the rest, `cut`: they were not processed.
 */
export interface Exchange {
  readonly outcomes: WireOutcome[];
  readonly broken?: { readonly at: number; readonly reason: string };
  readonly cut?: true;
}

/** The request in flight: where its answer goes. */
interface InFlight {
  readonly id: number;
  readonly journal: Journal;
  readonly done: (exchange: Exchange) => void;
}

/** A close under way: its deadline, which an interruption can bring forward. */
interface Closing {
  readonly started: number;
  timer: NodeJS.Timeout;
  readonly settle: (error: string | undefined) => void;
}

/**
 * One plugin's worker thread: starts it and loads the plugin, sends one request at a time, and ends the
 * thread when the plugin is stuck (no progress on one item for the timeout), ends it itself
 * (`process.exit`), or crashes. A request cut short that way resolves with the outcomes of the items the
 * thread had finished (it writes each to its journal, in shared memory, as it goes) and the item it was
 * on; the thread is started again for the next request. {@link interrupt} ends a request at once the
 * same way (a signal: the run ends). The thread keeps the process alive only while it works on a request.
 * @internal
 * @example
 * ```ts
 * const thread = new PluginThread('file:///srv/redact.mjs', './redact.mjs', 30_000);
 * await thread.ready();
 * const { outcomes } = await thread.exchange((id) => ({ type: 'flush', id, reason: 'end', timeoutMs: 1000 }), 1000);
 * await thread.close();
 * ```
 */
export class PluginThread {
  private phase: Phase = 'stopped';
  private worker: Worker | undefined;
  /** The journal of the running thread: a fresh one for each thread started (one ended may still write to its own). */
  private journal: Journal | undefined;
  private nextId = 1;
  private inFlight: InFlight | undefined;
  /** Why the thread ended while no request was in flight, until it is told (see {@link takeIdleEnd}). */
  private idleEnd: string | undefined;
  /** The last uncaught error of the thread, for the reason given when it ends. */
  private crash: unknown;
  private watchdog: NodeJS.Timeout | undefined;
  private cutShort = false;
  /** Ends a load under way at once (an interruption, a close). */
  private cutLoad: (() => void) | undefined;
  private closing: Closing | undefined;

  constructor(
    private readonly url: string,
    private readonly spec: string,
    private readonly loadTimeoutMs: number,
  ) {}

  /** True once {@link interrupt} was called: the plugin takes no more work. */
  get interrupted(): boolean {
    return this.cutShort;
  }

  /** Why the thread ended between requests, once (undefined if it did not). */
  takeIdleEnd(): string | undefined {
    const reason = this.idleEnd;
    this.idleEnd = undefined;
    return reason;
  }

  /**
   * Starts the thread if it is not running and loads the plugin; throws a {@link PluginError} if it
   * cannot, an `AbortError` when the plugin is closed or the run interrupted meanwhile.
   */
  async ready(): Promise<Loaded | undefined> {
    if (this.phase !== 'stopped') return undefined;
    if (this.interrupted) throw new AbortError('the run was interrupted');
    this.phase = 'starting';
    this.crash = undefined;
    const journal = Journal.create();
    const worker = new Worker(WORKER_URL, { workerData: { journal: journal.buffer } });
    this.worker = worker;
    this.journal = journal;
    worker.on('error', (error) => (this.crash = error));
    const loaded = await new Promise<Loaded | string>((resolve) => {
      const timer = setTimeout(() => resolve(`did not load within ${this.loadTimeoutMs} ms`), timerDelay(this.loadTimeoutMs));
      const settle = (result: Loaded | string) => {
        clearTimeout(timer);
        this.cutLoad = undefined;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (reply: Reply) => {
        if (reply.type === 'loaded') settle(reply);
        else if (reply.type === 'load-failed') settle(reply.message);
      };
      const onExit = (code: number) => settle(this.endReason(code, 'while loading'));
      this.cutLoad = () => settle('cut');
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'load', url: this.url, spec: this.spec } satisfies Request);
    });
    // close() or interrupt() may have come while the plugin loaded.
    if ((this.phase as Phase) !== 'starting' || this.interrupted) {
      if ((this.phase as Phase) === 'starting') this.stop();
      void worker.terminate();
      throw new AbortError(this.interrupted ? 'the run was interrupted' : 'the plugin was closed');
    }
    if (typeof loaded === 'string') {
      this.stop();
      // A plugin that did not load in time may still be running (an endless loop at its top level).
      void worker.terminate();
      throw new PluginError(loaded.startsWith(`cannot load plugin '`) || loaded.startsWith(`plugin '`) ? loaded : `cannot load plugin '${this.spec}': ${loaded}`, { plugin: this.spec });
    }
    worker.on('message', (reply: Reply) => this.onReply(reply));
    worker.on('exit', (code) => this.onExit(worker, code));
    worker.unref();
    this.phase = 'idle';
    return loaded;
  }

  /**
   * Sends a request of `count` items (lines, or one flush) and resolves once every item is answered, or
   * once the thread is stuck on an item for longer than `timeoutMs`, or ends: then the thread is ended and
   * the result says on which item. Once the run is interrupted or the plugin closed, the request is cut
   * (at once, or when that happens while it is in flight).
   */
  exchange(request: (id: number) => Request, timeoutMs: number): Promise<Exchange> {
    const worker = this.worker;
    const journal = this.journal;
    if (this.interrupted || this.phase === 'closing' || this.phase === 'closed') return Promise.resolve({ outcomes: [], cut: true });
    if (this.phase !== 'idle' || !worker || !journal) return Promise.reject(new AbortError('the plugin is busy with another request'));
    const id = this.nextId++;
    this.phase = 'busy';
    worker.ref();
    return new Promise<Exchange>((resolve) => {
      this.inFlight = {
        id,
        journal,
        done: (exchange) => {
          clearInterval(this.watchdog);
          this.inFlight = undefined;
          if (this.phase === 'busy') this.phase = 'idle';
          this.worker?.unref();
          resolve(exchange);
        },
      };
      this.watch(id, journal, timeoutMs);
      worker.postMessage(request(id));
    });
  }

  /**
   * The run is being interrupted (a signal): a request in flight is cut at once (its thread is ended; the
   * items it had finished keep their outcomes), a load under way is ended, later requests are cut, and
   * the plugin's `close()` gets {@link INTERRUPTED_CLOSE_MS} (one under way, at most that from now).
   */
  interrupt(): void {
    if (this.cutShort) return;
    this.cutShort = true;
    this.cutLoad?.();
    if (this.phase === 'busy') this.cutInFlight();
    const closing = this.closing;
    if (closing && Date.now() - closing.started + INTERRUPTED_CLOSE_MS < CLOSE_WAIT_MS) {
      clearTimeout(closing.timer);
      closing.timer = setTimeout(() => closing.settle(`did not close within ${INTERRUPTED_CLOSE_MS} ms of the interruption`), INTERRUPTED_CLOSE_MS);
    }
  }

  /**
   * Asks the plugin to close, waits at most {@link CLOSE_WAIT_MS} (after an interruption,
   * {@link INTERRUPTED_CLOSE_MS}), and ends the thread. Resolves to the error the plugin's
   * `close()` gave, if any. A request in flight is cut (its thread ended at once).
   */
  async close(): Promise<string | undefined> {
    const phase = this.phase;
    const worker = this.worker;
    if (phase === 'closing' || phase === 'closed') return undefined;
    this.phase = 'closed';
    if (phase === 'starting') this.cutLoad?.();
    if (phase === 'busy') this.cutInFlight();
    if (!worker || phase !== 'idle') return undefined;
    this.phase = 'closing';
    const id = this.nextId++;
    worker.ref();
    const wait = this.interrupted ? INTERRUPTED_CLOSE_MS : CLOSE_WAIT_MS;
    const answer = await new Promise<string | undefined>((resolve) => {
      const settle = (error: string | undefined) => {
        clearTimeout(this.closing?.timer);
        this.closing = undefined;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(error);
      };
      const onMessage = (reply: Reply) => {
        if (reply.type === 'closed' && reply.id === id) settle(reply.error);
      };
      const onExit = (code: number) => settle(code === 0 ? undefined : this.endReason(code, 'while closing'));
      this.closing = { started: Date.now(), timer: setTimeout(() => settle(`did not close within ${wait} ms`), wait), settle };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'close', id } satisfies Request);
    });
    this.phase = 'closed';
    this.stop();
    // Not awaited: ending a thread can take a while on a busy machine, and the answer is known.
    void worker.terminate();
    return answer;
  }

  /** Ends the thread now, and the request in flight with the outcomes its items had: the rest are cut. */
  private cutInFlight(): void {
    const flight = this.inFlight;
    const worker = this.worker;
    this.stop();
    void worker?.terminate();
    flight?.done({ outcomes: flight.journal.outcomes(flight.id), cut: true });
  }

  private onReply(reply: Reply): void {
    const flight = this.inFlight;
    if (!flight || reply.type !== 'answered' || reply.id !== flight.id) return;
    flight.done({ outcomes: reply.outcomes });
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker || this.phase === 'closing' || this.phase === 'closed') return;
    const reason = this.endReason(code);
    this.stop();
    const flight = this.inFlight;
    if (flight) flight.done(broken(flight, reason));
    else this.idleEnd = reason;
  }

  /** Checks, while a request is in flight, that the thread moves from item to item within the timeout. */
  private watch(id: number, journal: Journal, timeoutMs: number): void {
    const progress = journal.progress;
    const tick = Math.min(Math.max(Math.floor(timeoutMs / 4), 10), 250);
    // While the thread waits for a thenable, its own timer ends the wait at timeoutMs: a second more leaves that to it (it can be late
    // on a busy machine). Running the plugin's code, it cannot move on by itself: two ticks past the timeout, it is stuck.
    const margin = () => (Atomics.load(progress, PROGRESS.waiting) === 1 ? 1000 : 2 * tick);
    let seen = -1;
    let since = Date.now();
    this.watchdog = setInterval(() => {
      const flight = this.inFlight;
      if (!flight || flight.id !== id) return;
      const started = journal.took(id) ? Atomics.load(progress, PROGRESS.started) : 0;
      const now = Date.now();
      if (started !== seen) {
        seen = started;
        since = now;
        return;
      }
      if (now - since <= timeoutMs + margin()) return;
      const stuck = `did not finish within ${timeoutMs} ms (stuck in synchronous code?); its thread was ended and is started again`;
      const worker = this.worker;
      this.stop();
      void worker?.terminate();
      flight.done(broken(flight, stuck));
    }, tick);
    this.watchdog.unref();
  }

  /** Why the thread ended, for a report: `when` it did (loading, closing), or else while it worked, and then it is started again. */
  private endReason(code: number, when?: 'while loading' | 'while closing'): string {
    const at = when === undefined ? '' : ` ${when}`;
    const again = when === undefined ? '; it is started again' : '';
    if (this.crash === undefined) return `ended its thread (process.exit(${code}))${at}${again}`;
    const message = this.crash instanceof Error ? this.crash.message : String(this.crash);
    return `crashed${at}: ${message.split('\n')[0]}${again}`;
  }

  private stop(): void {
    clearInterval(this.watchdog);
    this.worker?.removeAllListeners('message');
    this.worker = undefined;
    if (this.phase !== 'closed') this.phase = 'stopped';
  }
}

/**
 * A request whose thread ended: the outcomes it had written, and the item it was on (or was to take up
 * next), the first not answered; -1 when it never took the request up.
 */
function broken(flight: InFlight, reason: string): Exchange {
  const outcomes = flight.journal.outcomes(flight.id);
  return { outcomes, broken: { at: flight.journal.took(flight.id) ? outcomes.length : -1, reason } };
}
