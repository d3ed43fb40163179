// One shipping measurement in a fresh process: node sink.mjs JSON, JSON = { mode, file, lines, … }.
// Prints {"lines","ms","cpuMs","sysMs","maxRssMB","batches"}; ms runs from the first line asked for (or
// sent) to the last acknowledgment, and leaves out Node's start-up, the imports, connecting and (for the
// bare clients) reading the file and splitting it into lines; cpuMs is the process's CPU time over the
// same span (all threads: GC and the thread pool included), sysMs its system part.
//   ta-redis   tail(file, { follow: false, checkpoint }).pipeTo(redisSink({ stream: 'PREFIX:{file}' }))
//              (derived entry IDs); writes the sizes of the batches it shipped to `sizes`
//   bare-redis ioredis alone: the same lines, fields and entry IDs in the batch sizes read from `sizes`,
//              written as the sink writes them (one EVALSHA of its Lua function a batch, the batch as
//              JSON), at most 4 batches in flight (pipeTo's default), each awaited for its reply. (The
//              sink also sets a socket timeout, which costs a timer per reply chunk; the bare client
//              does without.)
//   bare-redis-pipeline  the same, as one pipeline of XADDs a batch, each awaited for every reply (the
//              sink's way with a server that does not run scripts; a reference, no target)
//   ta-nats    the same through natsSink({ subject: 'PREFIX.{host}.{file}', stream, linesPerMessage })
//   bare-nats  @nats-io/jetstream alone, connected as the sink connects (noAsyncTraces): the same
//              messages (headers, payloads made with one join, message IDs) in the same batches, each
//              batch's publishes at once and awaited for every PubAck, at most 4 batches in flight
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const job = JSON.parse(process.argv[2]);
const distDir = job.dist ?? fileURLToPath(new URL('../../dist', import.meta.url));
const fromDist = (path) => import(pathToFileURL(join(distDir, path)).href);
const now = () => Number(process.hrtime.bigint()) / 1e6;
/** CPU time of this process since `from` (all threads: GC and the thread pool included), in ms: `{ cpuMs, sysMs }`. */
const cpuSince = (from) => {
  const { user, system } = process.cpuUsage(from);
  return { cpuMs: (user + system) / 1000, sysMs: system / 1000 };
};
const IN_FLIGHT = 4;
const host = hostname();

/**
 * Ships through tail-async, recording the batch sizes. Timed from the sink being open (as the bare
 * clients are connected before their clock starts) to the last acknowledgment: opening the tail (state
 * file, lock), reading and framing are in, the final save and closing are not.
 */
async function viaTailAsync(sink) {
  const { tail } = await fromDist('index.js');
  const sizes = [];
  let t0;
  let t1;
  let c0;
  let cpu;
  let acknowledged = 0;
  const recording = {
    name: sink.name,
    batchLines: sink.batchLines,
    open: async () => {
      await sink.open();
      t0 = now();
      c0 = process.cpuUsage();
    },
    close: () => sink.close(),
    send: async (batch) => {
      sizes.push(batch.length);
      const result = await sink.send(batch);
      t1 = now();
      // CPU time is read once, at the last acknowledgment (reading it costs a system call).
      if ((acknowledged += batch.length) === job.lines) cpu = cpuSince(c0);
      return result;
    },
  };
  const result = await tail(job.file, { follow: false, start: { fromLine: 1 }, checkpoint: job.state }).pipeTo(recording, { host });
  writeFileSync(job.sizes, JSON.stringify(sizes));
  return { lines: result.lines, ms: t1 - t0, ...cpu, batches: sizes.length };
}

/** The file's lines with their offsets and numbers, cut into the batches tail-async shipped (read before timing). */
function batches() {
  const text = readFileSync(job.file, 'latin1');
  const sizes = JSON.parse(readFileSync(job.sizes, 'utf8'));
  const out = [];
  let offset = 0;
  let number = 1;
  for (const size of sizes) {
    const batch = [];
    for (let i = 0; i < size; i++) {
      const end = text.indexOf('\n', offset);
      batch.push({ text: text.slice(offset, end), offset, line: number++ });
      offset = end + 1;
    }
    out.push(batch);
  }
  return out;
}

/** Sends every batch with `send`, at most IN_FLIGHT at once, in order. */
async function inFlight(all, send) {
  const pending = new Set();
  const t0 = now();
  const c0 = process.cpuUsage();
  for (const batch of all) {
    while (pending.size >= IN_FLIGHT) await Promise.race(pending);
    const p = send(batch).then(() => pending.delete(p));
    pending.add(p);
  }
  await Promise.all(pending);
  return { ms: now() - t0, ...cpuSince(c0) };
}

async function bareRedis() {
  const { Redis } = await import('ioredis');
  const all = batches();
  const client = new Redis({ path: job.socket, lazyConnect: true, enableOfflineQueue: false });
  await client.connect();
  const key = `${job.prefix}:${job.file}`;
  const born = Math.floor(statSync(job.file).birthtimeMs);
  let send;
  if (job.mode === 'bare-redis-pipeline') {
    send = async (batch) => {
      const pipeline = client.pipeline();
      for (const l of batch) pipeline.xadd(key, `${born}-${l.offset * 1000}`, 'file', job.file, 'text', l.text, 'offset', String(l.offset), 'line', String(l.line), 'host', host);
      for (const [error] of await pipeline.exec()) if (error) throw error;
    };
  } else {
    // The sink's own Lua function (the protocol, not its client code): one EVALSHA a batch, the batch as JSON.
    const { ADD_SCRIPT } = await fromDist('sinks/redis-writes.js');
    client.defineCommand('addEntries', { lua: ADD_SCRIPT, numberOfKeys: 1 });
    send = async (batch) => {
      const entries = [];
      for (const l of batch) entries.push(1, 1, `${born}-${l.offset * 1000}`, l.text, l.offset, l.line);
      await client.addEntries(key, JSON.stringify([[[job.file, host]], entries, false]));
    };
  }
  const { ms, cpuMs, sysMs } = await inFlight(all, send);
  await client.quit();
  return { lines: all.reduce((n, b) => n + b.length, 0), ms, cpuMs, sysMs, batches: all.length };
}

async function bareNats() {
  const { connect, headers } = await import('@nats-io/transport-node');
  const { jetstream } = await import('@nats-io/jetstream');
  const all = batches();
  // As the sink connects: without the client's per-request stack traces (noAsyncTraces), its largest cost.
  const nc = await connect({ servers: job.address, noAsyncTraces: true });
  const js = jetstream(nc);
  const st = statSync(job.file);
  const idPrefix = `${host}:${st.dev}:${st.ino}:${st.birthtimeMs}:0:`;
  const subject = `${job.prefix}.${host.replace(/[.*>\s]/g, '_')}.${job.file.replace(/[.*>\s]/g, '_')}`;
  const per = job.linesPerMessage;
  const { ms, cpuMs, sysMs } = await inFlight(all, async (batch) => {
    const publishes = [];
    for (let i = 0; i < batch.length; i += per) {
      const group = batch.slice(i, i + per);
      const h = headers();
      h.set('Tail-File', job.file);
      h.set('Tail-Offset', String(group[0].offset));
      h.set('Tail-Line', String(group[0].line));
      h.set('Tail-Host', host);
      if (per > 1) h.set('Tail-Lines', String(group.length));
      const msgID = per > 1 ? `${idPrefix}${group[0].offset}:0+${group.length}` : `${idPrefix}${group[0].offset}:0`;
      const payload = per > 1 ? [...group.map((l) => l.text), ''].join('\n') : group[0].text;
      publishes.push(js.publish(subject, payload, { msgID, headers: h, expect: { streamName: job.stream } }));
    }
    await Promise.all(publishes);
  });
  await nc.drain();
  return { lines: all.reduce((n, b) => n + b.length, 0), ms, cpuMs, sysMs, batches: all.length };
}

let result;
if (job.mode === 'ta-redis') {
  const { redisSink } = await fromDist('index.js');
  result = await viaTailAsync(redisSink({ connection: { path: job.socket }, stream: `${job.prefix}:{file}` }));
} else if (job.mode === 'ta-nats') {
  const { natsSink } = await fromDist('index.js');
  result = await viaTailAsync(natsSink({ servers: job.address, subject: `${job.prefix}.{host}.{file}`, stream: job.stream, linesPerMessage: job.linesPerMessage }));
} else if (job.mode === 'bare-redis' || job.mode === 'bare-redis-pipeline') result = await bareRedis();
else if (job.mode === 'bare-nats') result = await bareNats();
else throw new Error(`unknown mode ${job.mode}`);
if (result.lines !== job.lines) {
  process.stderr.write(`${job.mode}: ${result.lines} lines shipped, expected ${job.lines}\n`);
  process.exit(1);
}
process.stdout.write(JSON.stringify({ ...result, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
