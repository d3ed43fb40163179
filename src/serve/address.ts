import { isIP } from 'node:net';

/** Where `--serve` listens: a host and a port (0: any free port). @internal */
export interface ServeAddress {
  readonly host: string;
  readonly port: number;
}

/** The host `--serve PORT` listens on: this machine only. @internal */
export const DEFAULT_SERVE_HOST = '127.0.0.1';

/**
 * Reads `--serve [HOST:]PORT`: `8080`, `0.0.0.0:8080`, `localhost:8080`, `[::1]:8080` (an IPv6 address
 * in brackets, as in a URL); undefined for anything else.
 * @internal
 */
export function parseServeAddress(value: string): ServeAddress | undefined {
  const match = /^(?:(\[[^\]]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65_535) return undefined;
  let host = match[1] ?? DEFAULT_SERVE_HOST;
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (isIP(host) !== 6) return undefined;
  }
  return { host, port };
}

/**
 * True when only this machine can reach `host`: 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and
 * `localhost`. Anything else (0.0.0.0, ::, a name, a LAN address) is reachable from elsewhere.
 * @internal
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** `host` as it goes in a URL (an IPv6 address in brackets). @internal */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
