import { optionError } from '../errors.js';
import type { Sink } from './contract.js';
import { redisSink, type RedisSinkOptions } from './redis.js';
import { natsSink, type NatsSinkOptions } from './nats.js';

/** Query parameters each kind of URL takes. */
const PARAMS = {
  redis: ['stream', 'ids', 'maxlen', 'timeout', 'writes'],
  'redis+unix': ['stream', 'ids', 'maxlen', 'timeout', 'writes', 'db'],
  nats: ['subject', 'stream', 'lines', 'timeout'],
} as const;

/**
 * A sink from a URL, as `--sink` takes it:
 * - `redis://[:password@]host[:port][/db]?stream=TEMPLATE&maxlen=N&ids=file|auto&timeout=MS&writes=script|pipeline` (also `rediss://`)
 * - `redis+unix:///path/to/redis.sock?db=N&stream=TEMPLATE&…`
 * - `nats://[user:password@]host[:port]?subject=TEMPLATE&stream=NAME&lines=N&timeout=MS`
 *
 * See {@link redisSink} and {@link natsSink} for what each parameter means. Throws a `TailError`
 * (`ERR_TAIL_OPTION`) naming what is wrong.
 *
 * @example
 * ```ts
 * const sink = sinkFromUrl('redis+unix:///run/redis/redis.sock?stream=logs:{host}:{file}');
 * await tail('app.log', { checkpoint: 'tail.state' }).pipeTo(sink);
 * ```
 */
export function sinkFromUrl(url: string): Sink {
  const bad = (why: string) => optionError(`invalid sink URL '${url}': ${why}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('expected redis://, rediss://, redis+unix:// or nats://');
  }
  const scheme = parsed.protocol.slice(0, -1);
  const kind = scheme === 'rediss' ? 'redis' : scheme;
  if (kind !== 'redis' && kind !== 'redis+unix' && kind !== 'nats') throw bad(`unknown scheme '${scheme}:' (expected redis://, rediss://, redis+unix:// or nats://)`);
  const known: readonly string[] = PARAMS[kind];
  const params = new Map<string, string>();
  for (const [key, value] of parsed.searchParams) {
    if (!known.includes(key)) throw bad(`unknown parameter '${key}' (known: ${known.join(', ')})`);
    params.set(key, value);
  }
  const int = (key: string, min: number) => {
    const value = params.get(key);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw bad(`${key} must be a whole number >= ${min}, not '${value}'`);
    return n;
  };
  const name = nameOf(parsed);
  try {
    if (kind === 'nats') {
      const options: NatsSinkOptions = { servers: serverOf(parsed), name, subject: params.get('subject'), stream: params.get('stream'), linesPerMessage: int('lines', 1), timeout: int('timeout', 1) };
      return natsSink(options);
    }
    const ids = params.get('ids');
    if (ids !== undefined && ids !== 'file' && ids !== 'auto') throw bad(`ids must be 'file' or 'auto', not '${ids}'`);
    const writes = params.get('writes');
    if (writes !== undefined && writes !== 'script' && writes !== 'pipeline') throw bad(`writes must be 'script' or 'pipeline', not '${writes}'`);
    const common = { name, stream: params.get('stream'), ids, maxLen: int('maxlen', 1), timeout: int('timeout', 1), writes } satisfies RedisSinkOptions;
    if (kind === 'redis+unix') {
      if (parsed.host !== '' || parsed.pathname === '' || parsed.pathname === '/') throw bad('expected redis+unix:///path/to/redis.sock');
      return redisSink({ ...common, connection: { path: decodeURIComponent(parsed.pathname), db: int('db', 0) ?? 0 } });
    }
    if (!/^\/?\d*$/.test(parsed.pathname)) throw bad(`the path must be a database number, not '${parsed.pathname}'`);
    return redisSink({ ...common, connection: serverOf(parsed) });
  } catch (error) {
    // Options the sink itself refused: reworded as a URL problem.
    if (error instanceof Error && 'code' in error && error.code === 'ERR_TAIL_OPTION' && !error.message.startsWith('invalid sink URL')) {
      throw bad(error.message.replace(/^\w+\(\): /, ''));
    }
    throw error;
  }
}

/** The URL without its query (the client's address, credentials kept). */
function serverOf(url: URL): string {
  const copy = new URL(url.href);
  copy.search = '';
  copy.hash = '';
  return copy.href;
}

/** The URL as messages show it: no query, no password. */
function nameOf(url: URL): string {
  const copy = new URL(serverOf(url));
  if (copy.password) copy.password = '***';
  return copy.href;
}
