import type { MsgHdrs, NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager, JetStreamPublishOptions, PubAck } from '@nats-io/jetstream';
import { optionError } from '../errors.js';
import type { SendResult, Sink, SinkLine } from './contract.js';
import { compileTemplate, subjectToken, subjectWildcard, type Template } from './template.js';
import { closeQuietly, refusal, unavailable } from './connection.js';
import { describeSinkError } from './describe.js';
import { ABORTED, untilAborted } from './abortable.js';
import { rawBytes } from './raw.js';

/**
 * Options of {@link natsSink}.
 *
 * @example
 * ```ts
 * natsSink({ servers: 'nats://127.0.0.1:4222', subject: 'logs.{host}.{file}', stream: 'LOGS', linesPerMessage: 100 });
 * ```
 */
export interface NatsSinkOptions {
  /** The server(s). Default `nats://127.0.0.1:4222`. */
  readonly servers?: string | readonly string[];
  /**
   * The subject of each message: `{host}` and `{file}` are replaced, each as one subject token (`.`, `*`,
   * `>` and white space become `_`: `/var/log/app.log` is `/var/log/app_log`). Default `logs.{host}.{file}`.
   */
  readonly subject?: string;
  /**
   * The JetStream stream that must store the messages (a message another stream takes is an error). When
   * it does not exist, it is created, taking the template's subjects (`logs.*.*`), with file storage and
   * the server's duplicate window (2 minutes). Default: whichever stream takes the subject.
   */
  readonly stream?: string;
  /**
   * Lines per message (default 1). With 1, a message ID names each line, and the stream drops a line
   * shipped again within its duplicate window (a retry, a replay after a crash). With more, a message is
   * consecutive lines of one file, each ended by `\n`, and far fewer messages make the same lines (many
   * times the throughput); a retry within the run is still dropped, but after a crash the replayed lines
   * are grouped differently, so their messages are new: some lines are stored twice.
   */
  readonly linesPerMessage?: number;
  /** Ms to wait for the stream's acknowledgment of a message before the send counts as failed. Default 10 000. */
  readonly timeout?: number;
  /** Further options of `@nats-io/transport-node`'s `connect()` (credentials, TLS…). */
  readonly connection?: Partial<NodeConnectionOptions>;
  /** How messages name the sink. Default: the first server's URL. */
  readonly name?: string;
}

/**
 * A {@link Sink} that publishes lines to NATS JetStream, each message acknowledged by the stream, with
 * the message ID (`Nats-Msg-Id`) derived from the file's identity and the line's offset, and the headers
 * `Tail-File`, `Tail-Offset`, `Tail-Line`, `Tail-Host` (of the first line), and with `linesPerMessage`
 * above 1 `Tail-Lines` (how many). The payload is the line's text; with `linesPerMessage` above 1, the
 * lines' texts, each ended by `\n`. `@nats-io/transport-node` and `@nats-io/jetstream` are loaded
 * when the sink opens.
 *
 * @example
 * ```ts
 * import { tail, natsSink } from 'tail-async';
 *
 * const sink = natsSink({ servers: 'nats://127.0.0.1:4222', subject: 'logs.{host}.{file}', stream: 'LOGS' });
 * await tail('/var/log/app.log', { checkpoint: '/var/lib/shipper/tail.state' }).pipeTo(sink);
 * ```
 */
export function natsSink(options: NatsSinkOptions = {}): Sink {
  return new NatsSink(options);
}

class NatsSink implements Sink {
  readonly name: string;
  /**
   * About 50 messages a send (1 000 lines at most): with one line a message, each is a request the client
   * holds until acknowledged, and pipeTo has four sends in flight. Measured with one line a message: 165 MB
   * RSS with 1 000 lines a send, 123 MB with 100, 111 MB with 50, all at the same rate (the stream
   * acknowledges as fast with 200 messages in flight as with thousands); with 25, 10 % slower.
   */
  readonly batchLines: number;
  private readonly servers: string[];
  private readonly subject: Template;
  private readonly stream: string | undefined;
  private readonly perMessage: number;
  private readonly timeout: number;
  private readonly connection: Partial<NodeConnectionOptions>;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private connected = false;
  private lastError: unknown;
  /** Aborts at the next loss of the connection, with the reason (see {@link send}). */
  private cut = new AbortController();
  private makeHeaders: (() => MsgHdrs) | undefined;
  private closed = false;
  /** What every message must be stored by (the stream named in the options). */
  private readonly expect: { readonly streamName: string } | undefined;
  private lastNames: Names | undefined;

  constructor(options: NatsSinkOptions) {
    if (typeof options !== 'object' || options === null) throw optionError('natsSink(): options must be an object');
    const { servers = 'nats://127.0.0.1:4222', subject = 'logs.{host}.{file}', stream, linesPerMessage = 1, timeout = 10_000, connection = {} } = options;
    this.servers = typeof servers === 'string' ? [servers] : [...servers];
    if (this.servers.length === 0) throw optionError('natsSink(): give at least one server');
    this.subject = compileTemplate(subject, 'natsSink(): subject', subjectToken);
    if (stream !== undefined && (typeof stream !== 'string' || !/^[^\s.*>/\\]+$/.test(stream))) throw optionError(`natsSink(): stream must be a name without white space, '.', '*', '>', '/' or '\\', not '${String(stream)}'`);
    if (!Number.isSafeInteger(linesPerMessage) || linesPerMessage < 1) throw optionError(`natsSink(): linesPerMessage must be a whole number >= 1, not ${linesPerMessage}`);
    if (!Number.isSafeInteger(timeout) || timeout < 1) throw optionError(`natsSink(): timeout must be a whole number of ms >= 1, not ${timeout}`);
    this.stream = stream;
    this.expect = stream === undefined ? undefined : Object.freeze({ streamName: stream });
    this.perMessage = linesPerMessage;
    this.batchLines = Math.min(1_000, 50 * linesPerMessage);
    this.timeout = timeout;
    this.connection = connection;
    this.name = options.name ?? this.servers[0]!;
  }

  async open(): Promise<void> {
    const { connect, headers } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    this.makeHeaders = headers;
    const nc = await connect({
      servers: this.servers,
      // Reconnect for ever (pipeTo decides when to give up); pings find a server that stopped answering.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 5_000,
      maxPingOut: 2,
      // The client would otherwise make two errors (stack traces) per message, to be thrown only on a
      // timeout; measured, they were the client's largest cost, and they kept each batch's lines alive
      // long enough to be promoted to the old generation. Failures are described in one line anyway.
      noAsyncTraces: true,
      timeout: this.timeout,
      ...this.connection,
    });
    // Closed while connecting (a stop): this connection is the last thing to close.
    if (this.closed) {
      await nc.close();
      throw new Error('closed while connecting');
    }
    this.nc = nc;
    this.connected = true;
    void this.watch(nc);
    if (this.stream !== undefined) await this.ensureStream(await jetstreamManager(nc, { timeout: this.timeout }));
    this.js = jetstream(nc, { timeout: this.timeout });
  }

  async send(batch: readonly SinkLine[]): Promise<SendResult> {
    const js = this.js;
    // While disconnected, publishing would only fill the client's buffer with copies of what is retried.
    if (!js || !this.connected) throw unavailable(this.lastError, 'disconnected');
    // The batch as messages, all published at once: runs of consecutive lines of one file, at most
    // `linesPerMessage` each.
    const publishes: Array<Promise<PubAck>> = [];
    const sizes: number[] = [];
    for (let from = 0; from < batch.length; ) {
      const to = this.messageEnd(batch, from);
      publishes.push(this.publish(js, batch, from, to));
      sizes.push(to - from);
      from = to;
    }
    // Acknowledgments lost with the connection would only come as timeouts, after batches sent later
    // went through: the batch fails at once instead, and is sent again first (the stream drops what of
    // it did arrive, by message ID).
    const lost = this.cut.signal;
    const acks = await untilAborted(Promise.allSettled(publishes), lost);
    if (acks === ABORTED) throw lost.reason;
    let duplicates = 0;
    for (let i = 0; i < acks.length; i++) {
      const ack = acks[i]!;
      if (ack.status === 'rejected') throw refusal(ack.reason as Error, isPermanent(ack.reason));
      if (ack.value.duplicate) duplicates += sizes[i]!;
    }
    return { duplicates };
  }

  async close(): Promise<void> {
    this.closed = true;
    const nc = this.nc;
    this.nc = undefined;
    this.js = undefined;
    if (nc) await closeQuietly(() => nc.drain(), () => nc.close(), 1_000);
  }

  /** Follows the connection's state: publishing only while connected, and the reason when not. */
  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.lastError ??= new Error(`disconnected from ${status.server}`);
        const lost = this.cut;
        this.cut = new AbortController();
        lost.abort(unavailable(this.lastError, 'disconnected'));
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.lastError = undefined;
      } else if (status.type === 'error') this.lastError = status.error;
      else if (status.type === 'staleConnection') this.lastError = new Error('the server stopped answering');
    }
  }

  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    const { JetStreamApiCodes } = await import('@nats-io/jetstream');
    try {
      await jsm.streams.info(this.stream!);
    } catch (error) {
      if ((error as { code?: unknown }).code !== JetStreamApiCodes.StreamNotFound) throw error;
      await jsm.streams.add({ name: this.stream!, subjects: [subjectWildcard(this.subject)] });
    }
  }

  /** Where the message that starts at line `from` ends: consecutive lines of one file (one subject), at most `linesPerMessage`. */
  private messageEnd(batch: readonly SinkLine[], from: number): number {
    const end = Math.min(batch.length, from + this.perMessage);
    let i = from + 1;
    while (i < end && sameFile(batch[i - 1]!, batch[i]!)) i++;
    return i;
  }

  /** Publishes lines `from` to `to` (excluded) of `batch` as one message (what throws, a header the client refuses, rejects). */
  private async publish(js: JetStreamClient, batch: readonly SinkLine[], from: number, to: number): Promise<PubAck> {
    const first = batch[from]!;
    const count = to - from;
    const names = this.namesOf(first);
    const h = this.makeHeaders!();
    h.set('Tail-File', names.file);
    h.set('Tail-Offset', String(first.line.offset));
    h.set('Tail-Line', String(first.line.lineNumber));
    h.set('Tail-Host', names.host);
    const several = this.perMessage > 1;
    if (several) h.set('Tail-Lines', String(count));
    const options: Partial<JetStreamPublishOptions> = { headers: h, timeout: this.timeout };
    // The first line and the count name the lines: the same lines shipped again get the same ID.
    if (first.key !== undefined) options.msgID = several ? `${first.key}+${count}` : first.key;
    if (this.expect) options.expect = this.expect;
    // The bytes the lines were read from when they are their texts' encoding (nothing to encode).
    const payload = rawBytes(batch, from, to, several) ?? (several ? linesOf(batch, from, to) : first.line.text);
    return js.publish(names.subject, payload, options);
  }

  /** The subject and header values of a line's file and host (those of the last message, or made again). */
  private namesOf(record: SinkLine): Names {
    const last = this.lastNames;
    if (last && last.source === record.line.source && last.hostName === record.host) return last;
    const names = { source: record.line.source, hostName: record.host, subject: this.subject.expand(record.host, record.line.source), file: headerValue(record.line.source), host: headerValue(record.host) };
    this.lastNames = names;
    return names;
  }
}

/** What the messages of one file and host are named with (see `namesOf`). */
interface Names {
  readonly source: string;
  readonly hostName: string;
  readonly subject: string;
  /** The header values. */
  readonly file: string;
  readonly host: string;
}

/** The texts of lines `from` to `to` (excluded), each ended by `\n` (one join: no intermediate string per line). */
function linesOf(records: readonly SinkLine[], from: number, to: number): string {
  const texts: string[] = new Array(to - from + 1);
  for (let i = from; i < to; i++) texts[i - from] = records[i]!.line.text;
  texts[to - from] = '';
  return texts.join('\n');
}

/** Same file, same epoch: lines one message may hold together. */
function sameFile(a: SinkLine, b: SinkLine): boolean {
  return a.file !== undefined && a.file === b.file && a.epoch === b.epoch && a.line.source === b.line.source;
}

/** Header values are one line: CR and LF (in a file name) are written as `\r` and `\n`. */
function headerValue(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : value;
}

/** Errors no retry fixes: the message is too large for the server, or another stream took the subject. */
function isPermanent(error: unknown): boolean {
  const text = describeSinkError(error);
  return /max_payload|expected stream does not match/i.test(text);
}
