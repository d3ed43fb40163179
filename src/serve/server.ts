import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { SinkLine } from '../sinks/contract.js';
import { cookieName, loopbackHostHeader, sameToken, tokenOf } from './access.js';
import type { Asset } from './assets.js';
import { Client } from './client.js';
import { positionOf } from './event-id.js';
import { Ring } from './ring.js';
import { urlHost } from './address.js';

/** What {@link LineServer} is built with. @internal */
export interface LineServerOptions {
  readonly host: string;
  readonly port: number;
  /** Required of every request when set. */
  readonly token: string | undefined;
  /** Lines held for pages (and the most a page keeps). */
  readonly lines: number;
  /** Bytes of text held for pages, about. */
  readonly maxBytes: number;
  readonly assets: ReadonlyMap<string, Asset>;
  /** Told when a page is dropped for falling behind. */
  readonly onNotice: (message: string) => void;
}

/**
 * How long the tail waits, at most, for a page whose socket is full before it adds lines that page has
 * not had: pages that read keep up with any burst, a page that does not is dropped soon after.
 */
const PATIENCE_MS = 1_000;

/** A comment every so often keeps proxies from closing an event stream that is quiet. */
const PING_MS = 15_000;

/**
 * What the browser is told everything may come from: this server only; no inline script or style, so
 * that even text that escaped the page's care could not run.
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  // The page's URL may carry the token.
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * The HTTP side of `serve()`: the page's files and the event stream (Server-Sent Events), the ring of
 * lines served and the pages connected to it.
 * @internal
 */
export class LineServer {
  private readonly options: LineServerOptions;
  private readonly http: Server;
  private readonly ring: Ring;
  private readonly clients = new Set<Client>();
  /** Names this run of the server in event ids. */
  private readonly run = randomBytes(6).toString('base64url');
  private ended: { error?: string } | undefined;
  private ping: NodeJS.Timeout | undefined;
  private port = 0;

  constructor(options: LineServerOptions) {
    this.options = options;
    this.ring = new Ring(options.lines, options.maxBytes);
    this.http = createServer((req, res) => this.handle(req, res));
  }

  /** Listens; rejects when it cannot (the port is taken, the host is not this machine's). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.port = (this.http.address() as AddressInfo).port;
    this.ping = setInterval(() => this.clients.forEach((c) => c.ping()), PING_MS);
    this.ping.unref();
  }

  /** What every request must carry; undefined for none. */
  get token(): string | undefined {
    return this.options.token;
  }

  /** Where the page is; with the token in it when there is one. */
  get url(): string {
    const token = this.options.token === undefined ? '' : `?token=${encodeURIComponent(this.options.token)}`;
    return `http://${urlHost(this.options.host)}:${this.port}/${token}`;
  }

  /**
   * Lines the tail read: held, and sent to every page that keeps up. They go in by halves of the ring, each
   * once the pages whose sockets are full took what they hold, or {@link PATIENCE_MS} passed: so that a
   * burst larger than the ring reaches every page that reads, and a page that does not is dropped.
   */
  async push(batch: readonly SinkLine[]): Promise<void> {
    const step = Math.max(1, Math.floor(this.options.lines / 2));
    for (let i = 0; i < batch.length; i += step) {
      await this.catchUp();
      for (const record of batch.slice(i, i + step)) this.ring.push(positionOf(record), record.line.source, record.line.text);
      for (const client of this.clients) client.pump();
    }
  }

  /** Waits, for {@link PATIENCE_MS} at most, until no page's socket is full. */
  private async catchUp(): Promise<void> {
    const waiting = [...this.clients].filter((client) => client.waiting);
    if (waiting.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waiting.map((client) => client.drained())), new Promise((resolve) => (timer = setTimeout(resolve, PATIENCE_MS).unref()))]);
    clearTimeout(timer);
  }

  /** The input ended: pages are told once they have every line (with the error that ended it, if any). */
  end(error?: string): void {
    this.ended = error === undefined ? {} : { error };
    for (const client of this.clients) client.end(error);
  }

  /** Ends every page's stream and stops listening. Idempotent. */
  async close(): Promise<void> {
    clearInterval(this.ping);
    for (const client of this.clients) client.close();
    this.clients.clear();
    if (!this.http.listening) return;
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const token = this.options.token;
    const cookie = cookieName(this.port);
    if (token !== undefined ? !sameToken(tokenOf(req, url, cookie), token) : !loopbackHostHeader(req)) {
      const status = token !== undefined ? 401 : 403;
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...(status === 401 && { 'WWW-Authenticate': 'Bearer' }) });
      res.end(status === 401 ? 'This tail-async server needs its token: open the URL it printed (…/?token=…).\n' : 'This tail-async server answers requests to localhost only.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/events') {
      if (req.method === 'GET') return this.events(req, res, url);
      res.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    const asset = this.options.assets.get(url.pathname);
    if (!asset) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    // Opened with ?token=: the page's own requests (script, style, event stream) carry it as a cookie.
    if (token !== undefined && url.searchParams.has('token')) {
      res.setHeader('Set-Cookie', `${cookie}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
    }
    res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  /** One page's event stream: resumes after its `Last-Event-ID` (or `?last=`), then follows the ring. */
  private events(req: IncomingMessage, res: ServerResponse, url: URL): void {
    req.socket.setNoDelay(true);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    // A page that lost its connection tries again after half a second.
    res.write('retry: 500\n\n');
    const address = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const client = new Client(res, this.ring, this.run, (_, missed) => {
      this.clients.delete(client);
      this.options.onNotice(`page at ${address} fell ${missed} line${missed === 1 ? '' : 's'} behind what is held: dropped it (it resumes when it reconnects)`);
    });
    client.hello({ lines: this.options.lines });
    const last = req.headers['last-event-id'];
    client.resumeAfter(typeof last === 'string' ? last : (url.searchParams.get('last') ?? undefined));
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    if (this.ended) client.end(this.ended.error);
    client.pump();
  }
}
