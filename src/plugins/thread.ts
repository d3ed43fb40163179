import { Worker } from 'node:worker_threads';
import { PluginError, TailError } from '../errors.js';
import { timerDelay } from '../timer-delay.js';
import { PROGRESS, type Loaded, type Reply, type Request, type WireOutcome } from './protocol.js';

// Under the test runner this module is the TypeScript source: the worker, which Node runs as it is, is the built one.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? '../../dist/plugins/worker.js' : './worker.js', import.meta.url);

/** How long a plugin's `close()` may take in its thread before the thread is ended (a signal ends a run within a second). */
export const CLOSE_WAIT_MS = 400;

/**
 * Where a plugin's thread is: not running (never started, or ended: started again on demand), loading
 * the plugin, waiting for a request, working on one, or closed for good.
 */
type Phase = 'stopped' | 'starting' | 'idle' | 'busy' | 'closed';

/**
 * What a request got: the outcomes of its first items, and, if the thread ended before the rest, why and
 * on which item (-1: before it took the request up at all, as when it was already ending).
 */
export interface Exchange {
  readonly outcomes: WireOutcome[];
  readonly broken?: { readonly at: number; readonly reason: string };
}

/** The request in flight: where its answers go. */
interface InFlight {
  readonly id: number;
  readonly outcomes: WireOutcome[];
  readonly done: (exchange: Exchange) => void;
  readonly abort: (error: unknown) => void;
  /** For a close: its answer. */
  readonly closed?: (error: string | undefined) => void;
}

/**
 * One plugin's worker thread: starts it and loads the plugin, sends one request at a time, and ends the
 * thread when the plugin is stuck (no progress on one item for the timeout), ends it itself
 * (`process.exit`), or crashes. A request cut short that way resolves with what was answered and the
 * item it was on; the thread is started again for the next request. The thread keeps the process alive
 * only while it works on a request.
 * @internal
 */
export class PluginThread {
  private phase: Phase = 'stopped';
  private worker: Worker | undefined;
  private readonly progress = new Int32Array(new SharedArrayBuffer(12));
  private nextId = 1;
  private inFlight: InFlight | undefined;
  /** Why the thread ended while no request was in flight, until it is told (see {@link takeIdleEnd}). */
  private idleEnd: string | undefined;
  /** The last uncaught error of the thread, for the reason given when it ends. */
  private crash: unknown;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly spec: string,
    private readonly loadTimeoutMs: number,
  ) {}

  /** Why the thread ended between requests, once (undefined if it did not). */
  takeIdleEnd(): string | undefined {
    const reason = this.idleEnd;
    this.idleEnd = undefined;
    return reason;
  }

  /** Starts the thread if it is not running and loads the plugin; throws a {@link PluginError} if it cannot. */
  async ready(): Promise<Loaded | undefined> {
    if (this.phase !== 'stopped') return undefined;
    this.phase = 'starting';
    this.crash = undefined;
    const worker = new Worker(WORKER_URL, { workerData: { progress: this.progress.buffer } });
    this.worker = worker;
    worker.on('error', (error) => (this.crash = error));
    const loaded = await new Promise<Loaded | string>((resolve) => {
      const timer = setTimeout(() => resolve(`did not load within ${this.loadTimeoutMs} ms`), timerDelay(this.loadTimeoutMs));
      const settle = (result: Loaded | string) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (reply: Reply) => {
        if (reply.type === 'loaded') settle(reply);
        else if (reply.type === 'load-failed') settle(reply.message);
      };
      const onExit = (code: number) => settle(this.endReason(code, 'while loading'));
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'load', url: this.url, spec: this.spec } satisfies Request);
    });
    // close() may have come while the plugin loaded.
    if ((this.phase as Phase) === 'closed') {
      void worker.terminate();
      throw new TailError('the plugin was closed', { code: 'ABORT_ERR' });
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
   * the result says on which item. Rejects (`ABORT_ERR`) only when the plugin is closed meanwhile.
   */
  exchange(request: (id: number) => Request, timeoutMs: number): Promise<Exchange> {
    const worker = this.worker;
    if (this.phase !== 'idle' || !worker) return Promise.reject(new TailError('the plugin was closed', { code: 'ABORT_ERR' }));
    const id = this.nextId++;
    this.phase = 'busy';
    worker.ref();
    return new Promise<Exchange>((resolve, reject) => {
      const finish = () => {
        clearInterval(this.watchdog);
        this.inFlight = undefined;
        if (this.phase === 'busy') this.phase = 'idle';
        this.worker?.unref();
      };
      this.inFlight = {
        id,
        outcomes: [],
        done: (exchange) => {
          finish();
          resolve(exchange);
        },
        abort: (error) => {
          finish();
          reject(error);
        },
      };
      // The counters may still say where a thread ended before this one was started.
      Atomics.store(this.progress, PROGRESS.waiting, 0);
      this.watch(id, timeoutMs);
      worker.postMessage(request(id));
    });
  }

  /**
   * Asks the plugin to close, waits at most {@link CLOSE_WAIT_MS}, and ends the thread. Resolves to the
   * error the plugin's `close()` gave, if any. A request in flight is cut short (it rejects).
   */
  async close(): Promise<string | undefined> {
    const phase = this.phase;
    this.phase = 'closed';
    const worker = this.worker;
    if (!worker || phase === 'stopped' || phase === 'closed') return undefined;
    if (phase !== 'idle') {
      this.inFlight?.abort(new TailError('the plugin was closed', { code: 'ABORT_ERR' }));
      await worker.terminate();
      return undefined;
    }
    const id = this.nextId++;
    worker.ref();
    const answer = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(`did not close within ${CLOSE_WAIT_MS} ms`), CLOSE_WAIT_MS);
      const settle = (error: string | undefined) => {
        clearTimeout(timer);
        resolve(error);
      };
      this.inFlight = { id, outcomes: [], done: () => settle(undefined), abort: () => settle(undefined), closed: settle };
      worker.once('exit', (code) => settle(code === 0 ? undefined : this.endReason(code, 'while closing')));
      worker.postMessage({ type: 'close', id } satisfies Request);
    });
    this.inFlight = undefined;
    await worker.terminate();
    return answer;
  }

  private onReply(reply: Reply): void {
    const flight = this.inFlight;
    if (!flight || !('id' in reply) || reply.id !== flight.id) return;
    if (reply.type === 'closed') return flight.closed?.(reply.error);
    if (reply.type !== 'results') return;
    for (const outcome of reply.outcomes) flight.outcomes.push(outcome);
    if (reply.done) flight.done({ outcomes: flight.outcomes });
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker || this.phase === 'closed') return;
    const reason = this.endReason(code);
    this.stop();
    const flight = this.inFlight;
    if (flight) flight.done({ outcomes: flight.outcomes, broken: { at: this.itemOf(flight), reason } });
    else this.idleEnd = reason;
  }

  /** Checks, while a request is in flight, that the thread moves from item to item within the timeout. */
  private watch(id: number, timeoutMs: number): void {
    const tick = Math.min(Math.max(Math.floor(timeoutMs / 4), 10), 250);
    // While the thread waits for a thenable, its own timer ends the wait at timeoutMs: a second more leaves that to it (it can be late
    // on a busy machine). Running the plugin's code, it cannot move on by itself: two ticks past the timeout, it is stuck.
    const margin = () => (Atomics.load(this.progress, PROGRESS.waiting) === 1 ? 1000 : 2 * tick);
    let seen = -1;
    let since = Date.now();
    this.watchdog = setInterval(() => {
      const flight = this.inFlight;
      if (!flight || flight.id !== id) return;
      const started = Atomics.load(this.progress, PROGRESS.request) === id ? Atomics.load(this.progress, PROGRESS.started) : 0;
      const now = Date.now();
      if (started !== seen) {
        seen = started;
        since = now;
        return;
      }
      if (now - since <= timeoutMs + margin()) return;
      const at = this.itemOf(flight);
      const stuck = `did not finish within ${timeoutMs} ms (stuck in synchronous code?); its thread was ended and is started again`;
      const worker = this.worker;
      this.stop();
      void worker?.terminate();
      flight.done({ outcomes: flight.outcomes, broken: { at, reason: stuck } });
    }, tick);
    this.watchdog.unref();
  }

  /** The item the thread was on: the last one it started, or the first not answered; -1 when it never took the request up. */
  private itemOf(flight: InFlight): number {
    if (Atomics.load(this.progress, PROGRESS.request) !== flight.id) return -1;
    return Math.max(flight.outcomes.length, Atomics.load(this.progress, PROGRESS.started) - 1);
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
