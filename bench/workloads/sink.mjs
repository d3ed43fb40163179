// Workload 8 (ship): acknowledged lines/s from a file to Redis Streams and NATS JetStream through
// tail(…).pipeTo(sink), against the bare client writing the same lines, fields and IDs in the same batch
// sizes (the floor). The servers run here for the whole workload (redis-server on a unix socket with AOF,
// as in the tests; nats-server -js), each measurement in a fresh process (bench/children/sink.mjs), each
// into a fresh stream, removed afterwards. With BENCH_COMPARE, the other build's pipeTo runs in the same
// rounds, against the same bare client.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { CHILDREN, MB, NODE } from '../lib/common.mjs';
import { start, stop, collect, runJsonChild } from '../lib/proc.mjs';
import { interleave } from '../lib/results.mjs';
import { writeLog } from '../lib/gen.mjs';

/** Where a server binary is (PATH, or /usr/sbin where Debian puts nats-server). */
function locate(binary) {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/sbin']) {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a server and waits for its ready line on stdout or stderr. */
async function startServer(cmd, args, ready) {
  const child = start(cmd, args);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  const deadline = Date.now() + 15_000;
  while (!ready.test(out() + err())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child, { signal: 'SIGKILL' });
      throw new Error(`${cmd} did not start: ${(out() + err()).slice(-500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

/** The V8 flag the README's systemd unit gives the agent (a young generation of 2 × 4 MB instead of 2 × 16). */
const AGENT_HEAP = '--max-semi-space-size=4';

export async function sink({ cfg, tmp, results, log, builds }) {
  const redisBin = locate('redis-server');
  const natsBin = locate('nats-server');
  if (!redisBin || !natsBin) {
    const missing = [!redisBin && 'redis-server', !natsBin && 'nats-server'].filter(Boolean);
    throw new Error(`${missing.join(' and ')} not found (apt-get install -y ${missing.join(' ')})`);
  }
  const dir = join(tmp, 'engines');
  mkdirSync(join(dir, 'redis'), { recursive: true });
  const socket = join(dir, 'redis', 'redis.sock');
  const port = await freePort();
  const servers = [
    await startServer(redisBin, ['--port', '0', '--unixsocket', socket, '--dir', join(dir, 'redis'), '--appendonly', 'yes', '--save', '', '--daemonize', 'no'], /ready to accept connections/i),
    await startServer(natsBin, ['-js', '-sd', join(dir, 'nats'), '-a', '127.0.0.1', '-p', String(port)], /Server is ready/),
  ];
  const address = `nats://127.0.0.1:${port}`;
  const redis = new Redis({ path: socket });
  const nc = await connect({ servers: address });
  const jsm = await jetstreamManager(nc);
  try {
    const files = {
      redis: writeLog(join(tmp, 'ship-redis.log'), cfg.shipRedisMB * MB),
      nats1: writeLog(join(tmp, 'ship-nats-1.log'), cfg.shipNats1MB * MB),
      nats100: writeLog(join(tmp, 'ship-nats-100.log'), cfg.shipNats100MB * MB),
    };
    const engines = [
      { label: 'Redis Streams, derived IDs', engine: 'redis', file: files.redis, ta: 'tail-async → Redis (pipeTo)', bare: 'ioredis alone, the same script (floor)', reference: 'ioredis alone, pipelined XADD (reference)' },
      { label: 'NATS JetStream, 1 line/msg', engine: 'nats', linesPerMessage: 1, file: files.nats1, ta: 'tail-async → NATS (pipeTo)', bare: '@nats-io/jetstream alone (floor)' },
      { label: 'NATS JetStream, 100 lines/msg', engine: 'nats', linesPerMessage: 100, file: files.nats100, ta: 'tail-async → NATS (pipeTo)', bare: '@nats-io/jetstream alone (floor)' },
    ];
    log(`  files: ${engines.map((e) => `${e.label} ${e.file.lines} lines`).join('; ')}`);
    const tools = engines.flatMap((e) => {
      const W = `8 ship, ${e.label}, ${e.file.lines} lines`;
      const pair = {};
      const common = { engine: e, W, pair, sizes: join(tmp, `sizes-${e.engine}-${e.linesPerMessage ?? 0}.json`) };
      // This checkout's tail-async, the BENCH_COMPARE build's right after it (its batch sizes kept apart:
      // the bare client sends this checkout's), then the bare client; all three in every round.
      const shippers = builds.map((b) => {
        const id = b.name(e.ta);
        results.row(W, id, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: e.bare, ...(b.key === 'current' ? {} : { build: b.key, compareOf: e.ta }) });
        return { ...common, id, mode: `ta-${e.engine}`, dist: b.distDir, sizes: b.key === 'current' ? common.sizes : `${common.sizes}.${b.key}` };
      });
      results.row(W, e.bare, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: e.bare });
      const bare = [{ ...common, id: e.bare, mode: `bare-${e.engine}` }];
      // Redis: also the client's plainest way, a pipeline of XADDs (what the sink falls back to), for scale.
      if (e.reference) {
        results.row(W, e.reference, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: e.bare });
        bare.push({ ...common, id: e.reference, mode: `bare-${e.engine}-pipeline` });
      }
      // This checkout again with the young generation the README's systemd unit sets (NODE_OPTIONS): what
      // the agent takes as deployed there.
      const agent = `${e.ta}, ${AGENT_HEAP}`;
      results.row(W, agent, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: e.bare });
      const mine = shippers[0]; // builds[0] is this checkout
      return [...shippers, { ...mine, id: agent, nodeFlags: [AGENT_HEAP], sizes: `${common.sizes}.agent` }, ...bare];
    });
    let n = 0;
    await interleave(
      tools,
      cfg,
      async (tool) => {
        const row = results.get(tool.W, tool.id);
        const { engine: e } = tool;
        const prefix = `b${++n}`;
        const stream = `B${n}`;
        const job = { mode: tool.mode, dist: tool.dist, file: e.file.path, lines: e.file.lines, sizes: tool.sizes, state: join(tmp, `${prefix}.state`), prefix, socket, address, stream, linesPerMessage: e.linesPerMessage };
        if (e.engine === 'nats') await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
        try {
          const { lines, ms, cpuMs, maxRssMB } = await runJsonChild(NODE, [...(tool.nodeFlags ?? []), join(CHILDREN, 'sink.mjs'), JSON.stringify(job)], 180_000);
          // What the engine holds: every line, once.
          const stored = e.engine === 'redis' ? await redis.xlen(`${prefix}:${e.file.path}`) : (await jsm.streams.info(stream)).state.messages;
          const expected = e.engine === 'redis' || e.linesPerMessage === 1 ? lines : undefined;
          if (expected !== undefined && stored !== expected) throw new Error(`${stored} stored, ${expected} expected`);
          row.values.push(lines / (ms / 1000));
          row.rssMB.push(maxRssMB);
          // CPU time of the process over the same span (every thread): less at the mercy of other load.
          row.cpuS.push(cpuMs / 1000);
          row.cpuPerLineUs = [...(row.cpuPerLineUs ?? []), (cpuMs * 1000) / lines];
          return ms;
        } catch (error) {
          results.fail(row, error);
        } finally {
          if (e.engine === 'redis') await redis.del(`${prefix}:${e.file.path}`);
          else await jsm.streams.delete(stream).catch(() => {});
        }
      },
      log,
    );
  } finally {
    redis.disconnect();
    await nc.close();
    for (const server of servers) await stop(server);
  }
}
