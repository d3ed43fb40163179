import type { TailStream } from '../tail-stream.js';
import type { Sink } from '../sinks/contract.js';
import { optionError, TailError } from '../errors.js';
import { DEFAULT_SERVE_HOST, isLoopback } from './address.js';
import { newToken } from './access.js';
import { loadAssets } from './assets.js';
import { LineServer } from './server.js';

/**
 * Options of {@link serve}.
 *
 * @example
 * ```ts
 * const options: ServeOptions = { host: '0.0.0.0', port: 8080, token: process.env.LOG_TOKEN, lines: 5_000 };
 * const server = await serve(tail('app.log'), options);
 * ```
 */
export interface ServeOptions {
  /** Where to listen (default `127.0.0.1`: this machine only). */
  readonly host?: string;
  /** The port (default 0: any free port; {@link ServeHandle.url} says which). */
  readonly port?: number;
  /**
   * What every request must carry (`?token=`, `Authorization: Bearer`, or the cookie the page gets).
   * Default: none on a loopback host; a fresh random one on any other host (see {@link ServeHandle.token}).
   */
  readonly token?: string;
  /**
   * Lines a page keeps at most (older ones leave it), and lines the server holds for pages that connect
   * or reconnect (default 10 000).
   */
  readonly lines?: number;
  /** Bytes of text the server holds for pages at most, about (default 32 MiB; the newest line is always held). */
  readonly maxBytes?: number;
  /** Closes everything, as {@link ServeHandle.close} does. */
  readonly signal?: AbortSignal;
  /** Told what is worth telling the operator: a page dropped for falling behind. */
  readonly onNotice?: (message: string) => void;
}

/**
 * A running {@link serve}.
 *
 * @example
 * ```ts
 * await using server = await serve(tail('app.log', { follow: false, start: { fromLine: 1 } }));
 * console.log(server.url);
 * await server.done; // the whole file is read; the page keeps being served until the end of the scope
 * ```
 */
export interface ServeHandle extends AsyncDisposable {
  /** The page's address, with `?token=` when there is a token. */
  readonly url: string;
  /** The token requests need (given, or generated for a host that is not loopback); undefined for none. */
  readonly token: string | undefined;
  /**
   * Settles when the input ends: resolves when it ended normally (without follow, or after `stop()`; the
   * pages keep what they have and the server keeps serving until `close()`), or when `close()` stopped
   * it; rejects with the error that ended it (then everything is closed already).
   */
  readonly done: Promise<void>;
  /** Stops reading, ends every page's stream, stops listening, closes the tail. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_LINES = 10_000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Serves a tail's lines to web browsers: one page (the package's `assets/serve/`, no build step, nothing
 * from elsewhere) and a stream of Server-Sent Events. Every page gets every line; a page that loses its
 * connection resumes after the last line it had, exactly, while the server still holds the lines after
 * it (the last `lines` lines), and is told how many it missed otherwise. A page that falls further behind
 * than that is dropped (and told so), never the others, and the server never holds more than those lines
 * and one socket buffer per page. The tail is read at its own pace, whatever the pages do.
 *
 * Resolves once listening. Every way out (`close()`, the `signal`, the input failing) closes the tail,
 * the pages' connections and the server; the input ending normally leaves the server up.
 *
 * @example
 * ```ts
 * import { serve, tail } from 'tail-async';
 *
 * const server = await serve(tail('app.log', { start: { lines: 100 } }), { port: 8080 });
 * console.log(`open ${server.url}`);
 * process.once('SIGINT', () => void server.close());
 * ```
 */
export async function serve(stream: TailStream, options: ServeOptions = {}): Promise<ServeHandle> {
  let server: LineServer;
  try {
    server = await listen(options);
  } catch (error) {
    // Every way out closes the tail: also options it cannot use, or an address it cannot listen on.
    await stream.close();
    throw error;
  }
  return new Serving(stream, server, options.signal);
}

/** The server, listening, for `options` (checked first). */
async function listen(options: ServeOptions): Promise<LineServer> {
  const host = options.host ?? DEFAULT_SERVE_HOST;
  const lines = options.lines ?? DEFAULT_LINES;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const port = options.port ?? 0;
  if (!Number.isSafeInteger(lines) || lines <= 0) throw optionError(`serve: lines must be a positive whole number (got ${String(lines)})`);
  if (!(maxBytes > 0)) throw optionError(`serve: maxBytes must be positive (got ${String(maxBytes)})`);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw optionError(`serve: port must be 0 to 65535 (got ${String(port)})`);
  if (options.token === '') throw optionError('serve: token must not be empty');
  const token = options.token ?? (isLoopback(host) ? undefined : newToken());
  const server = new LineServer({ host, port, token, lines, maxBytes, assets: await loadAssets(), onNotice: options.onNotice ?? (() => {}) });
  try {
    await server.listen();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new TailError(`cannot serve on ${host}:${port}: ${e.code === 'EADDRINUSE' ? 'Address already in use' : e.code === 'EADDRNOTAVAIL' ? 'Cannot assign requested address' : e.message}`, { code: 'ERR_SERVE_LISTEN', cause: error });
  }
  return server;
}

class Serving implements ServeHandle {
  readonly url: string;
  readonly token: string | undefined;
  readonly done: Promise<void>;
  private readonly server: LineServer;
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => void this.close();
  private closing: Promise<void> | undefined;
  private readonly piping: Promise<unknown>;

  constructor(stream: TailStream, server: LineServer, signal: AbortSignal | undefined) {
    this.server = server;
    this.url = server.url;
    this.token = server.token;
    // The server is the sink of the tail: a batch counts as delivered once it is held for the pages (with a
    // checkpoint, the next run resumes after it), which never waits on a page.
    const sink: Sink = { name: this.url, send: (batch) => server.push(batch), close: async () => {} };
    // One batch at a time: a batch waiting for a full page (see LineServer.push) must keep its place.
    this.piping = stream.pipeTo(sink, { signal: this.stop.signal, drainTimeout: 0, maxInFlight: 1 });
    this.done = this.piping.then(
      () => server.end(),
      async (error: unknown) => {
        if (this.stop.signal.aborted) return;
        server.end(error instanceof Error ? error.message : String(error));
        await this.close();
        throw error;
      },
    );
    // Whoever does not await `done` learns of a failure from close() or not at all, never as an unhandled rejection.
    this.done.catch(() => {});
    this.signal = signal;
    if (signal?.aborted) void this.close();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.signal?.removeEventListener('abort', this.onAbort);
      this.stop.abort();
      await this.piping.catch(() => {});
      await this.server.close();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
