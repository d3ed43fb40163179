import type { Redis, RedisOptions } from 'ioredis';
import { optionError } from '../errors.js';
import type { SendResult, Sink, SinkLine } from './contract.js';
import { compileTemplate, type Template } from './template.js';
import { above, EntryIds, formatId, IdText, parseId, sameLine, ZERO_ID, type StreamId } from './redis-ids.js';
import { closeQuietly, refusal, unavailable } from './connection.js';
import { exec, fitsOneScript, scriptRuns, writeWithPipeline, writeWithScript, type Replies } from './redis-writes.js';

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
  /**
   * How a batch is written: `'script'`, one `EVALSHA` of a Lua function that runs the batch's `XADD`s
   * (a third of the CPU of a pipeline, and a smaller process); or `'pipeline'`, one pipeline of `XADD`s.
   * The entries are the same. Default `'script'`, and `'pipeline'` when the server does not run scripts
   * (an ACL without `@scripting`, or no Lua `cjson`): that is found out on connecting.
   */
  readonly writes?: 'script' | 'pipeline';
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
 * A {@link Sink} that adds each line to a Redis stream with `XADD`, as the fields `file`, `text`, `offset`,
 * `line` (number) and `host`: a batch is one call of a Lua function that runs its `XADD`s, or one pipeline
 * of them (see {@link RedisSinkOptions.writes}). `ioredis` is loaded when the sink opens.
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
  /**
   * 250 lines a batch: with four in flight, Redis always has the next one. Measured with pipelines of
   * XADDs, 1 000 (pipeTo's default) took 160–175 MB RSS at full speed against 130–140 with 250, no faster;
   * with the script, 1 000 took 108–137 MB against 102–108, and 50–100 were as small and slower.
   */
  readonly batchLines = 250;
  private readonly connection: string | RedisOptions;
  private readonly stream: Template;
  private readonly derived: boolean;
  /** `MAXLEN ~` of each XADD, as given (undefined: no trimming). */
  private readonly trim: string | undefined;
  private readonly timeout: number;
  /** How batches are written (see {@link RedisSinkOptions.writes}): as asked, then as the server allows. */
  private writes: 'script' | 'pipeline';
  private readonly ids = new EntryIds();
  /** Each stream's last entry ID as this sink left it (see {@link tops}). */
  private readonly known = new Map<string, StreamId>();
  /** The last batch being planned and written (see {@link send}). */
  private issuing: Promise<void> = Promise.resolve();
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
    const { writes = 'script' } = options;
    if (writes !== 'script' && writes !== 'pipeline') throw optionError(`redisSink(): writes must be 'script' or 'pipeline', not ${String(writes)}`);
    this.writes = writes;
    this.connection = connection;
    this.derived = ids === 'file';
    this.trim = maxLen === undefined ? undefined : String(maxLen);
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
      // Back within half a second of Redis (ioredis's default backoff waits up to 5 s).
      retryStrategy: (times) => Math.min(50 * 2 ** (times - 1), 500) + Math.floor(Math.random() * 100),
    };
    const client = typeof this.connection === 'string' ? new Redis(this.connection, settings) : new Redis({ ...this.connection, ...settings });
    client.on('error', (error: Error) => (this.lastError = error));
    client.on('close', () => (this.lastError ??= new Error('connection lost')));
    client.on('ready', () => (this.lastError = undefined));
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      throw this.lastError ?? error;
    }
    if (this.writes === 'script' && !(await scriptRuns(client))) this.writes = 'pipeline';
  }

  async send(batch: readonly SinkLine[]): Promise<SendResult> {
    const client = this.client;
    if (!client || client.status !== 'ready') throw unavailable(this.lastError, client?.status ?? 'not opened');
    // Batches are planned and written one after the other, in the order sent: Redis runs pipelines in
    // the order they were written, so a batch's IDs are planned knowing those of the batches before it.
    const issued = this.issuing.then(() => this.issue(client, batch));
    this.issuing = issued.then(
      () => {},
      () => {},
    );
    try {
      const { replies, duplicates } = await issued;
      for (const [error] of await replies) if (error) throw refusal(error, PERMANENT.test(error.message));
      return { duplicates };
    } catch (error) {
      // Part of the batch may be in: the streams' last IDs are read again before the retry.
      this.known.clear();
      // Commands cut off by a lost connection fail with ioredis's words for its queue: say why instead.
      if (client.status !== 'ready') throw unavailable(this.lastError, client.status);
      throw error;
    }
  }

  /** Plans the batch's entries and writes them (one script call or pipeline); resolves once written, with the replies to come. */
  private async issue(client: Redis, batch: readonly SinkLine[]): Promise<{ replies: Promise<Replies>; duplicates: number }> {
    const keys = this.stream.names(batch);
    const lines: number[] = [];
    const written: string[] = [];
    let duplicates = 0;
    if (!this.derived)
      for (let i = 0; i < batch.length; i++) {
        lines.push(i);
        written.push('*');
      }
    else {
      const tops = await this.tops(client, keys);
      const ids = batch.map((record, i) => this.ids.of(record, keys[i]!));
      const there = await this.alreadyThere(client, batch, keys, ids, tops);
      // Lines of one stream come in runs (keys[i] is then the very same string): its last ID is kept
      // here while the run lasts, and in `tops` between runs.
      let key: string | undefined;
      let top = ZERO_ID;
      const text = new IdText();
      for (let i = 0; i < batch.length; i++) {
        const name = keys[i]!;
        if (name !== key) {
          if (key !== undefined && tops.has(key)) tops.set(key, top);
          key = name;
          top = tops.get(name) ?? ZERO_ID;
        }
        if (there.has(i)) {
          duplicates++;
          continue;
        }
        let id = ids[i];
        lines.push(i);
        if (!id) {
          // A stream's lines (standard input) get IDs made by Redis: the last ID is no longer known here.
          written.push('*');
          tops.delete(name);
          this.known.delete(name);
          top = ZERO_ID;
          continue;
        }
        // Not above the stream's last entry, and not there: its file goes on above it, in the order read.
        if (!above(id, top)) {
          this.ids.move(batch[i]!, name, top);
          id = this.ids.of(batch[i]!, name)!;
          // The rest of its file in this batch too.
          for (let j = i + 1; j < batch.length; j++) if (batch[j]!.file === batch[i]!.file) ids[j] = this.ids.of(batch[j]!, keys[j]!);
        }
        written.push(text.of(id));
        top = id;
        if (!tops.has(name)) tops.set(name, top);
      }
      if (key !== undefined && tops.has(key)) tops.set(key, top);
      for (const [name, id] of tops) this.remember(name, id);
    }
    const planned = { batch, keys, lines, ids: written };
    const replies = this.writes === 'script' && fitsOneScript(batch) ? writeWithScript(client, planned, this.trim) : writeWithPipeline(client, planned, this.trim);
    return { replies, duplicates };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await closeQuietly(() => client.quit(), () => client.disconnect(), 1_000);
  }

  /**
   * The last entry ID of each stream of the batch: as this sink left it with the batches written before
   * (it is the only writer of a stream per file), else read (`XINFO STREAM`; a stream that does not exist
   * is below every ID).
   */
  private async tops(client: Redis, keys: readonly string[]): Promise<Map<string, StreamId>> {
    const tops = new Map<string, StreamId>();
    // Each stream once (lines of one stream come in runs).
    const streams = new Set<string>();
    for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) streams.add(keys[i]!);
    const unknown = [...streams].filter((key) => {
      const known = this.known.get(key);
      if (known) tops.set(key, known);
      return !known;
    });
    if (unknown.length === 0) return tops;
    const info = client.pipeline();
    for (const key of unknown) info.xinfo('STREAM', key);
    for (const [n, [error, reply]] of (await exec(info)).entries()) {
      if (error && !/no such key/i.test(error.message)) throw refusal(error, PERMANENT.test(error.message));
      tops.set(unknown[n]!, error ? ZERO_ID : parseId(field(reply as unknown[], 'last-generated-id')));
    }
    return tops;
  }

  /**
   * Lines of the batch whose ID is not above their stream's last one, and whose entry is this very line
   * (shipped before: a retry, or a replay after a crash): read back with `XRANGE`.
   */
  private async alreadyThere(client: Redis, batch: readonly SinkLine[], keys: readonly string[], ids: ReadonlyArray<StreamId | undefined>, tops: ReadonlyMap<string, StreamId>): Promise<Set<number>> {
    const candidates: Array<{ i: number; id: string }> = [];
    let top = ZERO_ID;
    for (let i = 0; i < batch.length; i++) {
      if (i === 0 || keys[i] !== keys[i - 1]) top = tops.get(keys[i]!)!;
      const id = ids[i];
      if (id && !above(id, top)) candidates.push({ i, id: formatId(id) });
    }
    const there = new Set<number>();
    if (candidates.length === 0) return there;
    const read = client.pipeline();
    for (const { i, id } of candidates) read.xrange(keys[i]!, id, id);
    for (const [n, [error, entries]] of (await exec(read)).entries()) {
      if (error) throw refusal(error, false);
      const entry = (entries as Array<[string, string[]]>)[0];
      const { i } = candidates[n]!;
      if (entry && sameLine(entry[1], batch[i]!)) there.add(i);
    }
    return there;
  }

  private remember(key: string, id: StreamId): void {
    if (this.known.size >= MAX_KNOWN && !this.known.has(key)) this.known.delete(this.known.keys().next().value!);
    this.known.set(key, id);
  }
}

/** Streams whose last ID this sink remembers (one per file shipped); beyond, the oldest are read again. */
const MAX_KNOWN = 10_000;

/** A field of a reply given as `[name, value, …]`. */
function field(reply: readonly unknown[], name: string): string {
  for (let i = 0; i + 1 < reply.length; i += 2) if (reply[i] === name) return String(reply[i + 1]);
  throw new Error(`no ${name} in the reply`);
}

/** Redis errors no retry can fix: a key of another type, no permission, bad credentials. */
const PERMANENT = /^(WRONGTYPE|NOPERM|NOAUTH|WRONGPASS)\b/;

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
