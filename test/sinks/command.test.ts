import { describe, expect, it } from 'vitest';
import { skipWithout, startNats, startRedis } from '../helpers/servers.js';
import type { ServerBinary } from '../helpers/server-binaries.js';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetStreamCount, natsClient, readJetStream, readStream, redisClient } from '../helpers/engines.js';
import { killAndRestart, neverReachable, outage, stalled, type Engine } from '../helpers/shipping.js';

/** An engine the command ships to, in the modes the tests look at. */
interface Case {
  readonly name: string;
  readonly binary: ServerBinary;
  /** Modes of the kill -9 test (shipped side by side): label, mode, duplicates expected (undefined: counted only). */
  readonly modes: ReadonlyArray<readonly [string, string, number | undefined]>;
  /** The mode of the other tests, and of the frozen-engine test (which ships 1 KiB lines). */
  readonly mode: string;
  readonly frozenMode: string;
  /** Lines the writer writes around a 3 s outage (30 every 10 ms). */
  readonly outageLines: number;
  /** How the command names the engine, and says it cannot reach it. */
  readonly sinkName: string;
  readonly unreachable: string;
  /** One server, and the engine as each of `modes` ships to it (streams of their own). */
  start(...modes: string[]): Promise<Engine[]>;
}

/** redis-server; mode 'file': a stream per file, derived IDs; 'auto': a stream per host, Redis IDs. */
const redis: Case = {
  name: 'redis+unix://…',
  binary: 'redis-server',
  modes: [
    ['entry IDs derived from file and offset (a stream per file)', 'file', 0],
    ['entry IDs made by Redis (a stream per host)', 'auto', undefined],
  ],
  mode: 'file',
  frozenMode: 'file',
  outageLines: 4_000,
  sinkName: "redis\\+unix:///.*/redis\\.sock",
  unreachable: 'connect ENOENT .*/redis\\.sock',
  async start(...modes) {
    const server = await startRedis();
    let client: Awaited<ReturnType<typeof redisClient>> | undefined;
    return modes.map((ids) => {
      const prefix = `logs-${ids}`;
      const key = async () => {
        client ??= await redisClient(server.socket);
        return (await client.keys(`${prefix}:*`))[0];
      };
      return {
        server,
        url: () => server.url(`?stream=${prefix}:${ids === 'file' ? '{file}' : '{host}'}&ids=${ids}`),
        async texts() {
          const k = await key();
          return k === undefined ? [] : (await readStream(client!, k)).map((e) => e.fields.text!);
        },
        async count() {
          const k = await key();
          return k === undefined ? 0 : client!.xlen(k);
        },
      };
    });
  },
};

/** nats-server -js; mode: lines a message, into stream LOGS. */
const nats: Case = {
  name: 'nats://…',
  binary: 'nats-server',
  modes: [
    ['one line a message (Nats-Msg-Id per line)', '1', 0],
    ['100 lines a message', '100', undefined],
  ],
  mode: '1',
  frozenMode: '100',
  outageLines: 4_000,
  sinkName: 'nats://127\\.0\\.0\\.1:\\d+',
  unreachable: 'connection refused',
  async start(...modes) {
    const server = await startNats();
    let nc: NatsConnection | undefined;
    /** `read` of a stream; nothing while it does not exist, again while the test's own client reconnects. */
    const retrying = async <T>(read: (nc: NatsConnection) => Promise<T>, none: T): Promise<T> => {
      nc ??= await natsClient(server.address);
      for (let attempt = 1; ; attempt++) {
        try {
          return await read(nc);
        } catch (error) {
          if (/stream not found/i.test(String(error))) return none;
          if (attempt === 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    return modes.map((lines) => {
      const stream = `LOGS${lines}`;
      const texts = () => retrying(async (c) => (await readJetStream(c, stream)).flatMap((m) => (lines === '1' ? [m.text] : m.text.split('\n').slice(0, -1))), []);
      return {
        server,
        url: () => server.url(`?subject=logs${lines}.{host}.{file}&stream=${stream}&lines=${lines}`),
        texts,
        // With several lines a message, the messages are few: reading them is cheap enough.
        count: async () => (lines === '1' ? retrying((c) => jetStreamCount(c, stream), 0) : (await texts()).length),
      };
    });
  },
};

const mb = (n: number) => (n / 2 ** 20).toFixed(1);

/** The engines whose server binary is here (or required): each test runs them side by side. */
const engines = [redis, nats].filter((engine) => !skipWithout(engine.binary));

/** Runs `scenario` against every engine at once; the results in the same order. */
const eachEngine = <T>(scenario: (engine: Case) => Promise<T>): Promise<T[]> => Promise.all(engines.map(scenario));

describe.skipIf(engines.length === 0)(`tail-async --sink, against ${engines.map((e) => e.name).join(' and ')} at once`, () => {
  it('kill -9 mid-stream and a restart lose no line, in every mode', async () => {
    // 8 000 lines over about 3 s: the kill comes while they are being written.
    const results = await eachEngine(async (engine) => killAndRestart(await engine.start(...engine.modes.map(([, mode]) => mode)), 8_000, 25));
    for (const [e, engine] of engines.entries()) {
      for (const [i, [label, mode, expected]] of engine.modes.entries()) {
        const result = results[e]![i]!;
        console.info(`${engine.binary}, ${label}: kill -9 after ${result.killedAt} of 8000 lines stored; after the restart ${result.stored} stored, ${result.missing} missing, ${result.duplicates} duplicates`);
        expect({ engine: engine.binary, mode, missing: result.missing, stderr: result.stderr, midStream: result.killedAt > 0 && result.killedAt < 8_000 }).toEqual({ engine: engine.binary, mode, missing: 0, stderr: '', midStream: true });
        if (expected !== undefined) expect({ engine: engine.binary, mode, duplicates: result.duplicates, inOrder: result.inOrder }).toEqual({ engine: engine.binary, mode, duplicates: expected, inOrder: true });
      }
    }
  }, 40_000);

  it('stopped for 3 s mid-stream: reading pauses, nothing is lost, and the outage is told once each way', async () => {
    const results = await eachEngine(async (engine) => outage((await engine.start(engine.mode))[0]!, engine.outageLines, 30));
    for (const [e, engine] of engines.entries()) {
      const result = results[e]!;
      console.info(`${engine.binary} outage of 3 s: ${result.stored} stored of ${engine.outageLines}, ${result.missing} lost, ${result.duplicates} duplicates; stderr: ${JSON.stringify(result.stderr)}`);
      expect({ engine: engine.binary, missing: result.missing, duplicates: result.duplicates, inOrder: result.inOrder }).toEqual({ engine: engine.binary, missing: 0, duplicates: 0, inOrder: true });
      const said = result.stderr.trimEnd().split('\n');
      expect(said).toHaveLength(2);
      expect(said[0]).toMatch(new RegExp(`^tail-async: cannot ship to '${engine.sinkName}': .*; reading paused until it is back$`));
      expect(said[1]).toMatch(new RegExp(`^tail-async: '${engine.sinkName}' is back after \\d+\\.\\d s; reading resumed$`));
    }
  }, 40_000);

  it('never reachable: one line, status 1, the state file unchanged', async () => {
    const results = await eachEngine(async (engine) => neverReachable((await engine.start(engine.mode))[0]!));
    for (const [e, engine] of engines.entries()) {
      const result = results[e]!;
      expect(result.stderr).toMatch(new RegExp(`^tail-async: cannot open '${engine.sinkName}' for shipping: ${engine.unreachable}\\n$`));
      expect({ status: result.status, stdout: result.stdout, stateUnchanged: result.stateUnchanged, lockLeft: result.lockLeft }).toEqual({ status: 1, stdout: '', stateUnchanged: true, lockLeft: false });
    }
  });

  it('frozen (SIGSTOP): reading stops and memory stays bounded; every line arrives once it goes on', async () => {
    const results = await eachEngine(async (engine) => stalled((await engine.start(engine.frozenMode))[0]!, 8));
    for (const [e, engine] of engines.entries()) {
      const result = results[e]!;
      console.info(`${engine.binary} frozen: RSS ${mb(result.rssBefore)} MB before, peak ${mb(result.peak)} MB while ${mb(result.fileBytes)} MB were appended; ${mb(result.readWhileStalled)} MB read meanwhile`);
      expect(result.peak).toBeLessThan(100 * 2 ** 20);
      expect(result.readWhileStalled).toBeLessThan(result.fileBytes / 4);
      expect({ engine: engine.binary, complete: result.complete, stderr: result.stderr }).toEqual({ engine: engine.binary, complete: true, stderr: '' });
    }
  }, 40_000);
});
