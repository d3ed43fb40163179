import { describe, expect, it } from 'vitest';
import { skipWithout, startRedis, type RedisServer } from '../helpers/servers.js';
import { readStream, redisClient } from '../helpers/engines.js';
import { killAndRestart, neverReachable, outage, stalled, type Engine } from '../helpers/shipping.js';

/** redis-server with the command shipping to one stream (per file, derived IDs; or per host, Redis IDs). */
async function redis(ids: 'file' | 'auto' = 'file'): Promise<Engine> {
  const server: RedisServer = await startRedis();
  const stream = ids === 'file' ? 'logs:{file}' : 'logs:{host}';
  let client: Awaited<ReturnType<typeof redisClient>> | undefined;
  return {
    server,
    url: () => server.url(`?stream=${stream}&ids=${ids}`),
    async texts() {
      client ??= await redisClient(server.socket);
      const [key] = await client.keys('logs:*');
      return key === undefined ? [] : (await readStream(client, key)).map((e) => e.fields.text!);
    },
  };
}

describe.skipIf(skipWithout('redis-server'))('tail-async --sink redis+unix://…', () => {
  it.each([
    ['derived from file and offset (a stream per file)', 'file', 0],
    ['made by Redis (a stream per host)', 'auto', undefined],
  ] as const)('kill -9 mid-stream and a restart lose no line; entry IDs %s', async (_, ids, expected) => {
    const result = await killAndRestart(await redis(ids), 8_000, 50);
    console.info(`redis, ids ${ids}: kill -9 after ${result.killedAt} of 8000 lines stored; after the restart ${result.stored} stored, ${result.missing} missing, ${result.duplicates} duplicates`);
    expect(result.missing).toBe(0);
    if (expected !== undefined) {
      expect(result.duplicates).toBe(expected);
      expect(result.inOrder).toBe(true);
    }
    expect(result.stderr).toBe('');
  }, 40_000);

  it('stopped for 3 s mid-stream: reading pauses, nothing is lost, and the outage is told once each way', async () => {
    const result = await outage(await redis(), 8_000, 30);
    console.info(`redis outage of 3 s: ${result.stored} stored of 8000, ${result.missing} lost, ${result.duplicates} duplicates; stderr: ${JSON.stringify(result.stderr)}`);
    expect(result.missing).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.inOrder).toBe(true);
    const said = result.stderr.trimEnd().split('\n');
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^tail-async: cannot ship to 'redis\+unix:\/\/\/.*\/redis\.sock': .*; reading paused until it is back$/);
    expect(said[1]).toMatch(/^tail-async: 'redis\+unix:\/\/\/.*\/redis\.sock' is back after \d+\.\d s; reading resumed$/);
  }, 40_000);

  it('never reachable: one line, status 1, the state file unchanged', async () => {
    const result = await neverReachable(await redis());
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^tail-async: cannot open 'redis\+unix:\/\/\/.*\/redis\.sock' for shipping: connect ENOENT .*\/redis\.sock\n$/);
    expect(result.stdout).toBe('');
    expect(result.stateUnchanged).toBe(true);
    expect(result.lockLeft).toBe(false);
  });

  it('frozen (SIGSTOP): reading stops and memory stays bounded; every line arrives once it goes on', async () => {
    const result = await stalled(await redis(), 16);
    const mb = (n: number) => (n / 2 ** 20).toFixed(1);
    console.info(`redis frozen: RSS ${mb(result.rssBefore)} MB before, peak ${mb(result.peak)} MB while ${mb(result.fileBytes)} MB were appended; ${mb(result.readWhileStalled)} MB read meanwhile`);
    expect(result.peak).toBeLessThan(100 * 2 ** 20);
    expect(result.readWhileStalled).toBeLessThan(result.fileBytes / 4);
    expect(result.complete).toBe(true);
    expect(result.stderr).toBe('');
  }, 40_000);
});
