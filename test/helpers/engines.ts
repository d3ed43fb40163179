/**
 * Reading back what the sink tests shipped: every entry of a Redis stream, every message of a JetStream
 * stream, with the engine's own clients.
 */
import { Redis } from 'ioredis';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterEveryTest } from './after-each.js';

const clients = new Set<{ close(): Promise<unknown> }>();
afterEveryTest('clients', async () => {
  await Promise.all([...clients].map((c) => c.close().catch(() => {})));
  clients.clear();
});

/** One stream entry: its ID and fields. */
export interface Entry {
  readonly id: string;
  readonly fields: Record<string, string>;
}

/** A client of the redis-server on `socket` (closed after the test). */
export async function redisClient(socket: string): Promise<Redis> {
  // Commands wait for a server that is restarted (outage tests).
  const client = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: null });
  // Errors of a server stopped on purpose: commands wait for it to come back.
  client.on('error', () => {});
  await client.connect();
  clients.add({ close: () => client.quit() });
  return client;
}

/** Every entry of stream `key`, oldest first. */
export async function readStream(client: Redis, key: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let from = '-';
  for (;;) {
    const page = await client.xrange(key, from, '+', 'COUNT', 10_000);
    for (const [id, list] of page) {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
      out.push({ id, fields });
    }
    if (page.length < 10_000) return out;
    from = `(${page.at(-1)![0]}`;
  }
}

/** A JetStream message as stored: subject, headers, payload. */
export interface Stored {
  readonly seq: number;
  readonly subject: string;
  readonly headers: Record<string, string>;
  readonly text: string;
  /** The payload's bytes. */
  readonly data: Uint8Array;
}

/** A connection to the nats-server at `address` (closed after the test). */
export async function natsClient(address: string): Promise<NatsConnection> {
  // Back soon after a server restarted on purpose (outage tests).
  const nc = await connect({ servers: address, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  clients.add({ close: () => nc.close() });
  return nc;
}

/** Requests of the test's own client give up soon: after a restart of the server, the caller asks again. */
const API_TIMEOUT = 1_000;

/** Every message of JetStream stream `stream`, in stream order. */
export async function readJetStream(nc: NatsConnection, stream: string): Promise<Stored[]> {
  const jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT });
  const { state } = await jsm.streams.info(stream);
  const out: Stored[] = [];
  if (state.messages === 0) return out;
  const consumer = await jetstream(nc, { timeout: API_TIMEOUT }).consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 1_000 });
  for await (const m of messages) {
    const headers: Record<string, string> = {};
    for (const key of m.headers?.keys() ?? []) headers[key] = m.headers!.get(key);
    out.push({ seq: m.seq, subject: m.subject, headers, text: m.string(), data: m.data });
    if (m.info.pending === 0) break;
  }
  await messages.close();
  return out;
}

/** The number of messages stream `stream` holds now. */
export async function jetStreamCount(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT });
  return (await jsm.streams.info(stream)).state.messages;
}
