import { describe, expect, it } from 'vitest';
import { skipWithout, startNats, type NatsServer } from '../helpers/servers.js';
import { natsClient, readJetStream } from '../helpers/engines.js';
import { killAndRestart, neverReachable, outage, stalled, type Engine } from '../helpers/shipping.js';

/** nats-server with the command publishing to stream LOGS, `lines` lines a message. */
async function nats(lines = 1): Promise<Engine> {
  const server: NatsServer = await startNats();
  let nc: Awaited<ReturnType<typeof natsClient>> | undefined;
  return {
    server,
    url: () => server.url(`?subject=logs.{host}.{file}&stream=LOGS&lines=${lines}`),
    async texts() {
      nc ??= await natsClient(server.address);
      for (let attempt = 1; ; attempt++) {
        try {
          const stored = await readJetStream(nc, 'LOGS');
          return stored.flatMap((m) => (lines === 1 ? [m.text] : m.text.split('\n').slice(0, -1)));
        } catch (error) {
          if (/stream not found/i.test(String(error))) return [];
          // The server was just restarted: the test's own client is reconnecting.
          if (attempt === 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
  };
}

describe.skipIf(skipWithout('nats-server'))('tail-async --sink nats://…', () => {
  it.each([
    ['one line a message (Nats-Msg-Id per line)', 1, 0],
    ['100 lines a message', 100, undefined],
  ] as const)('kill -9 mid-stream and a restart lose no line; %s', async (_, lines, expected) => {
    const result = await killAndRestart(await nats(lines), 8_000, 50);
    console.info(`nats, ${lines} line(s) a message: kill -9 after ${result.killedAt} of 8000 lines stored; after the restart ${result.stored} stored, ${result.missing} missing, ${result.duplicates} duplicates`);
    expect(result.missing).toBe(0);
    if (expected !== undefined) {
      expect(result.duplicates).toBe(expected);
      expect(result.inOrder).toBe(true);
    }
    expect(result.stderr).toBe('');
  }, 40_000);

  it('stopped for 3 s mid-stream: reading pauses, nothing is lost, and the outage is told once each way', async () => {
    const result = await outage(await nats(), 6_000, 30);
    console.info(`nats outage of 3 s: ${result.stored} stored of 6000, ${result.missing} lost, ${result.duplicates} duplicates; stderr: ${JSON.stringify(result.stderr)}`);
    expect(result.missing).toBe(0);
    expect(result.duplicates).toBe(0);
    const said = result.stderr.trimEnd().split('\n');
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^tail-async: cannot ship to 'nats:\/\/127\.0\.0\.1:\d+': .*; reading paused until it is back$/);
    expect(said[1]).toMatch(/^tail-async: 'nats:\/\/127\.0\.0\.1:\d+' is back after \d+\.\d s; reading resumed$/);
  }, 40_000);

  it('never reachable: one line, status 1, the state file unchanged', async () => {
    const result = await neverReachable(await nats());
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^tail-async: cannot open 'nats:\/\/127\.0\.0\.1:\d+' for shipping: connection refused\n$/);
    expect(result.stateUnchanged).toBe(true);
    expect(result.lockLeft).toBe(false);
  });

  it('frozen (SIGSTOP): reading stops and memory stays bounded; every line arrives once it goes on', async () => {
    const result = await stalled(await nats(100), 16);
    const mb = (n: number) => (n / 2 ** 20).toFixed(1);
    console.info(`nats frozen: RSS ${mb(result.rssBefore)} MB before, peak ${mb(result.peak)} MB while ${mb(result.fileBytes)} MB were appended; ${mb(result.readWhileStalled)} MB read meanwhile`);
    expect(result.peak).toBeLessThan(100 * 2 ** 20);
    expect(result.readWhileStalled).toBeLessThan(result.fileBytes / 4);
    expect(result.complete).toBe(true);
    expect(result.stderr).toBe('');
  }, 40_000);
});
