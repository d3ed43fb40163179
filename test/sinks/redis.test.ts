import { appendFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisSink, tail, type PipeResult, type RedisSinkOptions, type SinkLine } from '../../src/index.js';
import { fitsOneScript, SCRIPT_TEXT_LIMIT } from '../../src/sinks/redis-writes.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';
import { skipWithout, startRedis, type RedisServer } from '../helpers/servers.js';
import { readStream, redisClient } from '../helpers/engines.js';
import { logFile, numbered, shipFile } from '../helpers/log-file.js';

/** Ships `file` from its first line, without follow, to `server` (options of redisSink added). */
function shipOnce(server: RedisServer, file: string, options: RedisSinkOptions = {}, checkpoint?: string): Promise<PipeResult> {
  return shipFile(file, redisSink({ connection: { path: server.socket }, ...options }), checkpoint);
}

// Each case for both ways of writing a batch: one script call (the default) and one pipeline of XADDs
// (what a server that does not run scripts gets); the entries must be the same.
describe.skipIf(skipWithout('redis-server')).each(['script', 'pipeline'] as const)('the Redis Streams sink, writes: %s (redis-server on a unix socket, AOF on)', (writes) => {
  /** Ships `file` from its first line, without follow, to `server`, written this way. */
  const ship = (server: RedisServer, file: string, options: RedisSinkOptions = {}, checkpoint?: string): Promise<PipeResult> => shipOnce(server, file, { writes, ...options }, checkpoint);

  it('ships 100 000 lines, every one stored once, in order, with its fields', async () => {
    const server = await startRedis();
    const { file, texts, state } = await logFile(100_000);
    const started = Date.now();
    const result = await ship(server, file, {}, state);
    const ms = Date.now() - started;
    expect(result).toMatchObject({ lines: 100_000, duplicates: 0, retries: 0 });
    const entries = await readStream(await redisClient(server.socket), `logs:h1:${file}`);
    console.info(`redis round trip (${writes}): ${entries.length} entries of 100000 lines in ${ms} ms`);
    expect(entries.map((e) => e.fields.text)).toEqual(texts);
    const st = await stat(file);
    expect(entries[1]).toEqual({
      id: `${Math.floor(st.birthtimeMs)}-${(texts[0]!.length + 1) * 1000}`,
      fields: { file, text: texts[1], offset: String(texts[0]!.length + 1), line: '2', host: 'h1' },
    });
  }, 40_000);

  it('stores a line shipped again (a retry, a replay) once, and counts it as a duplicate', async () => {
    const server = await startRedis();
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, numbered(1, 3_000).join('\n') + '\n');
    expect((await ship(server, file)).duplicates).toBe(0);
    await appendFile(file, numbered(3_001, 500).join('\n') + '\n');
    expect(await ship(server, file)).toMatchObject({ lines: 3_500, duplicates: 3_000 });
    const entries = await readStream(await redisClient(server.socket), `logs:h1:${file}`);
    expect(entries.map((e) => e.fields.text)).toEqual(numbered(1, 3_500));
  });

  it('stores, rather than drops, a new line whose derived ID is taken by another (a file rewritten in place)', async () => {
    const server = await startRedis();
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'one\ntwo\n');
    await ship(server, file);
    // Same file, same offsets, other lines (rewritten while nothing followed it): IDs collide, content does not.
    await truncate(file, 0);
    await writeFile(file, 'uno\ndos\ntres\n');
    expect(await ship(server, file)).toMatchObject({ lines: 3, duplicates: 0 });
    // The same again: now these lines are there, under the IDs Redis gave them.
    const entries = await readStream(await redisClient(server.socket), `logs:h1:${file}`);
    expect(entries.map((e) => e.fields.text)).toEqual(['one', 'two', 'uno', 'dos', 'tres']);
  });

  it('gives lines after a truncation a new range of IDs, even when they repeat the lines before it', async () => {
    const server = await startRedis();
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'beat\nbeat\n');
    const lines = tail(file, { start: { fromLine: 1 }, checkpoint: path.join(dir, 'state.json') });
    const client = await redisClient(server.socket);
    const done = lines.pipeTo(redisSink({ connection: { path: server.socket }, writes }), { host: 'h1' });
    const key = `logs:h1:${file}`;
    await waitFor(async () => (await client.xlen(key)) === 2, 'the first two lines');
    await truncate(file, 0);
    await appendFile(file, 'beat\nbeat\n');
    await waitFor(async () => (await client.xlen(key)) === 4, 'the two lines after the truncation');
    lines.stop();
    await done;
    const ids = (await readStream(client, key)).map((e) => e.id);
    const born = Math.floor((await stat(file)).birthtimeMs);
    expect(ids).toEqual([`${born}-0`, `${born}-5000`, `${born + 1}-0`, `${born + 1}-5000`]);
  });

  it('trims streams with MAXLEN ~, and writes Redis-made IDs on a stream per host', async () => {
    const server = await startRedis();
    const dir = await tempDir();
    const [a, b] = [path.join(dir, 'a.log'), path.join(dir, 'b.log')];
    await writeFile(a, numbered(1, 5_000).join('\n') + '\n');
    await writeFile(b, 'b1\nb2\n');
    const sink = redisSink({ connection: { path: server.socket }, stream: 'logs:{host}', maxLen: 1_000, writes });
    await tail([a, b], { follow: false, start: { fromLine: 1 } }).pipeTo(sink, { host: 'h1' });
    const entries = await readStream(await redisClient(server.socket), 'logs:h1');
    expect(entries.length).toBeGreaterThanOrEqual(1_000);
    expect(entries.length).toBeLessThan(2_000);
    expect(entries.slice(-2).map((e) => [e.fields.file, e.fields.text])).toEqual([[b, 'b1'], [b, 'b2']]);
  });

  it('stops with ERR_SINK_REJECTED when the stream key holds another type', async () => {
    const server = await startRedis();
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'one\n');
    await (await redisClient(server.socket)).set(`logs:h1:${file}`, 'a string');
    await expect(ship(server, file)).rejects.toMatchObject({ name: 'SinkError', code: 'ERR_SINK_REJECTED', message: expect.stringContaining('refused the lines: WRONGTYPE') });
  });

  it('stores a text with a lone surrogate (made by a processor) with U+FFFD in its place, and control bytes as they are', async () => {
    const server = await startRedis();
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'a\u0000b\tc\u001b[1m😀é\nplain\n');
    const lines = tail(file, { follow: false, start: { fromLine: 1 }, processors: [(text) => (text === 'plain' ? 'x\ud800y' : text)] });
    await lines.pipeTo(redisSink({ connection: { path: server.socket }, writes }), { host: 'h1' });
    const entries = await readStream(await redisClient(server.socket), `logs:h1:${file}`);
    expect(entries.map((e) => e.fields.text)).toEqual(['a\u0000b\tc\u001b[1m😀é', 'x\ufffdy']);
  });
});

describe.skipIf(skipWithout('redis-server'))('the Redis Streams sink on a server that does not run scripts', () => {
  it('writes pipelines of XADDs for a user without @scripting, storing every line once as the script would', async () => {
    const server = await startRedis();
    const admin = await redisClient(server.socket);
    await admin.acl('SETUSER', 'shipper', 'on', '>secret', '~*', '+@all', '-@scripting');
    const { file, texts, state } = await logFile(3_000);
    const sink = redisSink({ connection: { path: server.socket, username: 'shipper', password: 'secret' } });
    expect(await shipFile(file, sink, state)).toMatchObject({ lines: 3_000, duplicates: 0, retries: 0 });
    const entries = await readStream(admin, `logs:h1:${file}`);
    expect(entries.map((e) => e.fields.text)).toEqual(texts);
    // The script was tried, and refused: the lines went in as XADDs.
    const refused = ((await admin.call('ACL', 'LOG')) as string[][]).map((entry) => Object.fromEntries(entry.flatMap((v, i) => (i % 2 ? [] : [[v, entry[i + 1]]]))));
    expect(refused).toContainEqual(expect.objectContaining({ username: 'shipper', reason: 'command', object: expect.stringMatching(/^eval(sha)?$/) }));
  });
});

describe('redisSink()', () => {
  it('asks for batches of 250 lines', () => {
    expect(redisSink().batchLines).toBe(250);
  });

  it('writes a batch of more than 2^25 characters of text as a pipeline (one script argument stays far below 512 MB)', () => {
    const batch = (...lengths: number[]) => lengths.map((n) => ({ line: { text: 'é'.repeat(n) } }) as unknown as SinkLine);
    expect(fitsOneScript(batch(SCRIPT_TEXT_LIMIT))).toBe(true);
    expect(fitsOneScript(batch(SCRIPT_TEXT_LIMIT / 2, SCRIPT_TEXT_LIMIT / 2))).toBe(true);
    expect(fitsOneScript(batch(SCRIPT_TEXT_LIMIT / 2, SCRIPT_TEXT_LIMIT / 2 + 1))).toBe(false);
  });

  it("refuses a writes that is neither 'script' nor 'pipeline', naming the option", () => {
    expect(() => redisSink({ writes: 'xadd' as never })).toThrow("redisSink(): writes must be 'script' or 'pipeline', not xadd");
  });
});
