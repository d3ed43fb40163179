import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh token: 128 random bits, URL-safe. @internal */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/** The cookie that carries the token for the page's own requests (one per port: cookies ignore ports). @internal */
export function cookieName(port: number): string {
  return `tail_async_${port}`;
}

/**
 * The token a request carries: `Authorization: Bearer T`, `?token=T`, or the page's cookie (set when
 * the page was opened with `?token=T`, so that its script, style and event stream carry it too).
 * @internal
 */
export function tokenOf(req: IncomingMessage, url: URL, cookie: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const query = url.searchParams.get('token');
  if (query) return query;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookie) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Compares in constant time (of the hashes), so that the token cannot be guessed a character at a time. @internal */
export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const hash = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(hash(given), hash(token));
}

/**
 * Without a token, a server on loopback still answers only requests addressed to a loopback name: a web
 * page elsewhere cannot read it through DNS rebinding (its requests carry its own host name).
 * @internal
 */
export function loopbackHostHeader(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
