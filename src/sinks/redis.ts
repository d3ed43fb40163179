import type { ChainableCommander, Redis, RedisOptions } from 'ioredis';
import { optionError } from '../errors.js';
import type { SendResult, Sink, SinkLine } from './contract.js';
import { compileTemplate, type Template } from './template.js';
import { EntryIds, isIdConflict, sameLine } from './redis-ids.js';
import { closeQuietly, refusal, unavailable } from './connection.js';

/**
 * Options of {@link redisSink}.
 *
 * @example
 * ```ts
 * redisSink({ connection: { path: '/run/redis/redis.sock', db: 2 }, stream: 'logs:{host}:{file}', maxLen: 1_000_000 });
 * ```
 */
export interface RedisSinkOptions {
  /**
   * Where Redis is: a URL (`redis://[:password@]host:port/db`, `rediss://…`) or ioredis options (`{ path }`
   * for a unix socket). Default `redis://127.0.0.1:6379/0`. The connection is made by the sink, with
   * ioredis's reconnection (and no offline queue: while it is down, sends fail and are retried by `pipeTo`).
   */
  readonly connection?: string | RedisOptions;
  /** The stream each line goes to: `{host}` and `{file}` (the path as given) are replaced. Default `logs:{host}:{file}`. */
  readonly stream?: string;
  /**
   * Entry IDs: `'file'` (derived from the file and offset, so that replays are not stored twice: needs
   * `{file}` in `stream`, one stream per file), or `'auto'` (made by Redis: any stream; a replay after a
   * crash stores those lines again). Default `'file'` when `stream` has `{file}`, else `'auto'`.
   */
  readonly ids?: 'file' | 'auto';
  /** Keeps each stream at about this many entries (`XADD … MAXLEN ~ N`). Default: no limit. */
  readonly maxLen?: number;
  /**
   * Ms without any reply while commands wait for one before the connection is taken for dead, dropped and
   * made again (ioredis `socketTimeout`; also the connect timeout). Default 10 000.
   */
  readonly timeout?: number;
  /** How messages name the sink. Default: the URL without its password. */
  readonly name?: string;
}

/**
 * A {@link Sink} that adds each line to a Redis stream with `XADD` (one pipeline per batch), as the fields
 * `file`, `text`, `offset`, `line` (number) and `host`. `ioredis` is loaded when the sink opens.
 *
 * @example
 * ```ts
 * import { tail, redisSink } from 'tail-async';
 *
 * const sink = redisSink({ connection: 'redis://127.0.0.1:6379/0', stream: 'logs:{host}:{file}' });
 * await tail('/var/log/app.log', { checkpoint: '/var/lib/shipper/tail.state' }).pipeTo(sink);
 * ```
 */
export function redisSink(options: RedisSinkOptions = {}): Sink {
  return new RedisSink(options);
}

class RedisSink implements Sink {
  readonly name: string;
  private readonly connection: string | RedisOptions;
  private readonly stream: Template;
  private readonly derived: boolean;
  private readonly trim: readonly string[];
  private readonly timeout: number;
  private readonly ids = new EntryIds();
  private client: Redis | undefined;
  /** The last connection error (what "not connected" means). */
  private lastError: Error | undefined;

  constructor(options: RedisSinkOptions) {
    if (typeof options !== 'object' || options === null) throw optionError('redisSink(): options must be an object');
    const { connection = 'redis://127.0.0.1:6379/0', stream = 'logs:{host}:{file}', maxLen, timeout = 10_000 } = options;
    this.stream = compileTemplate(stream, 'redisSink(): stream');
    const ids = options.ids ?? (this.stream.perFile ? 'file' : 'auto');
    if (ids !== 'file' && ids !== 'auto') throw optionError(`redisSink(): ids must be 'file' or 'auto', not ${String(ids)}`);
    if (ids === 'file' && !this.stream.perFile) throw optionError(`redisSink(): ids 'file' needs {file} in the stream name (one stream per file), not '${stream}'`);
    if (maxLen !== undefined && (!Number.isSafeInteger(maxLen) || maxLen < 1)) throw optionError(`redisSink(): maxLen must be a whole number >= 1, not ${maxLen}`);
    if (!Number.isSafeInteger(timeout) || timeout < 1) throw optionError(`redisSink(): timeout must be a whole number of ms >= 1, not ${timeout}`);
    this.connection = connection;
    this.derived = ids === 'file';
    this.trim = maxLen === undefined ? [] : ['MAXLEN', '~', String(maxLen)];
    this.timeout = timeout;
    this.name = options.name ?? nameOf(connection);
  }

  async open(): Promise<void> {
    const { Redis } = await import('ioredis');
    const settings: RedisOptions = {
      lazyConnect: true,
      // Sends fail at once while disconnected; pipeTo retries them (nothing piles up in the client).
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      socketTimeout: this.timeout,
      connectTimeout: this.timeout,
    };
    const client = typeof this.connection === 'string' ? new Redis(this.connection, settings) : new Redis({ ...this.connection, ...settings });
    client.on('error', (error: Error) => (this.lastError = error));
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      throw this.lastError ?? error;
    }
  }

  async send(batch: readonly SinkLine[]): Promise<SendResult> {
    const client = this.client;
    if (!client || client.status !== 'ready') throw unavailable(this.lastError, client?.status ?? 'not opened');
    const keys = batch.map((record) => this.stream.expand(record.host, record.line.source));
    const pipeline = client.pipeline();
    for (let i = 0; i < batch.length; i++) this.add(pipeline, keys[i]!, batch[i]!, this.derived ? this.ids.of(batch[i]!, keys[i]!) : '*');
    const conflicts: number[] = [];
    for (const [i, [error]] of (await exec(pipeline)).entries()) {
      if (!error) continue;
      if (this.derived && isIdConflict(error)) conflicts.push(i);
      else throw refusal(error, PERMANENT.test(error.message));
    }
    return { duplicates: conflicts.length === 0 ? 0 : await this.settle(client, batch, keys, conflicts) };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await closeQuietly(() => client.quit(), () => client.disconnect(), 1_000);
  }

  private add(pipeline: ChainableCommander, key: string, record: SinkLine, id: string): void {
    const { line } = record;
    pipeline.xadd(key, ...this.trim, id, 'file', line.source, 'text', line.text, 'offset', String(line.offset), 'line', String(line.lineNumber), 'host', record.host);
  }

  /**
   * Lines whose ID Redis refused: those whose entry is already there (same line) are duplicates; the
   * others are added with IDs made by Redis, and their files go on above them. Returns the duplicates.
   */
  private async settle(client: Redis, batch: readonly SinkLine[], keys: readonly string[], conflicts: readonly number[]): Promise<number> {
    const read = client.pipeline();
    for (const i of conflicts) read.xrange(keys[i]!, this.ids.of(batch[i]!, keys[i]!), this.ids.of(batch[i]!, keys[i]!));
    const found = await exec(read);
    const missing = conflicts.filter((i, n) => {
      const [error, entries] = found[n]!;
      if (error) throw refusal(error, false);
      const entry = (entries as Array<[string, string[]]>)[0];
      return !(entry && sameLine(entry[1], batch[i]!));
    });
    if (missing.length > 0) {
      const write = client.pipeline();
      for (const i of missing) this.add(write, keys[i]!, batch[i]!, '*');
      for (const [n, [error, id]] of (await exec(write)).entries()) {
        if (error) throw refusal(error, PERMANENT.test(error.message));
        this.ids.move(batch[missing[n]!]!, keys[missing[n]!]!, id as string);
      }
    }
    return conflicts.length - missing.length;
  }
}

/** Redis errors no retry can fix: a key of another type, no permission, bad credentials. */
const PERMANENT = /^(WRONGTYPE|NOPERM|NOAUTH|WRONGPASS)\b/;

/** A pipeline's replies; a pipeline that could not run at all rejects (then the whole batch is retried). */
async function exec(pipeline: ChainableCommander): Promise<Array<[Error | null, unknown]>> {
  const replies = await pipeline.exec();
  if (!replies) throw new Error('the pipeline was discarded');
  return replies;
}

/** The connection as messages name it: the URL without its password, or the socket path. */
function nameOf(connection: string | RedisOptions): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      if (url.password) url.password = '***';
      return url.href;
    } catch {
      return 'redis';
    }
  }
  if (connection.path) return `redis+unix://${connection.path}${connection.db ? `?db=${connection.db}` : ''}`;
  return `redis://${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}/${connection.db ?? 0}`;
}
