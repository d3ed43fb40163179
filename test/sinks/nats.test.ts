import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { natsSink, tail, type NatsSinkOptions, type PipeResult } from '../../src/index.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { tempDir } from '../helpers/fs.js';
import { skipWithout, startNats, type NatsServer } from '../helpers/servers.js';
import { jetStreamCount, natsClient, readJetStream } from '../helpers/engines.js';
import { logFile, numbered, shipFile } from '../helpers/log-file.js';

/** Ships `file` from its first line, without follow, to `server`'s stream LOGS. */
function ship(server: NatsServer, file: string, options: NatsSinkOptions = {}, checkpoint?: string): Promise<PipeResult> {
  return shipFile(file, natsSink({ servers: server.address, subject: 'logs.{host}.{file}', stream: 'LOGS', ...options }), checkpoint);
}

describe.skipIf(skipWithout('nats-server'))('the NATS JetStream sink (nats-server -js)', () => {
  it('ships 100 000 lines, 100 a message, every one stored once, in order', async () => {
    const server = await startNats();
    const { dir, file, texts, state } = await logFile(100_000);
    const started = Date.now();
    const result = await ship(server, file, { linesPerMessage: 100 }, state);
    const ms = Date.now() - started;
    expect(result).toMatchObject({ lines: 100_000, duplicates: 0, retries: 0 });
    const stored = await readJetStream(await natsClient(server.address), 'LOGS');
    console.info(`nats round trip: ${stored.length} messages, ${result.lines} lines in ${ms} ms`);
    expect(stored.flatMap((m) => m.text.split('\n').slice(0, -1))).toEqual(texts);
    expect(stored[0]).toMatchObject({ subject: `logs.h1.${dir}/app_log`, headers: { 'Tail-File': file, 'Tail-Offset': '0', 'Tail-Line': '1', 'Tail-Host': 'h1', 'Tail-Lines': '100' } });
  }, 40_000);

  it('stores each line as its text in UTF-8, whatever bytes it was read from (CRLF, multi-byte, invalid UTF-8, no newline at the end)', async () => {
    const server = await startNats();
    const dir = await tempDir();
    const bytes = Buffer.concat([Buffer.from('plain\r\nünïcödé €\n'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0x0a]), Buffer.from('a'.repeat(300) + '\n\nlast, without newline')]);
    const texts = ['plain', 'ünïcödé €', 'bad\uFFFD', 'a'.repeat(300), '', 'last, without newline'];
    for (const [n, options] of [[1, {}], [2, {}], [100, {}], [2, { maxLineBytes: 100, overlong: 'truncate' }], [100, { encoding: 'latin1' }]] as const) {
      const file = path.join(dir, `app-${n}-${Object.keys(options).length}.log`);
      await writeFile(file, bytes);
      const lines = tail(file, { follow: false, start: { fromLine: 1 }, ...options });
      const result = await lines.pipeTo(natsSink({ servers: server.address, subject: 'logs.{host}.{file}', stream: 'LOGS', linesPerMessage: n }), { host: 'h1' });
      expect(result.lines).toBe(texts.length);
    }
    const stored = await readJetStream(await natsClient(server.address), 'LOGS');
    const payloads = (file: string) => stored.filter((m) => m.headers['Tail-File'] === path.join(dir, file)).map((m) => Buffer.from(m.data));
    // With several lines a message, each text ended by a newline (where messages are cut depends on the reads).
    const joined = (all: readonly string[]) => [Buffer.from(all.map((t) => `${t}\n`).join(''))];
    expect(payloads('app-1-0.log')).toEqual(texts.map((t) => Buffer.from(t)));
    expect([Buffer.concat(payloads('app-2-0.log'))]).toEqual(joined(texts));
    expect([Buffer.concat(payloads('app-100-0.log'))]).toEqual(joined(texts));
    expect([Buffer.concat(payloads('app-2-2.log'))]).toEqual(joined(texts.map((t) => t.slice(0, 100))));
    expect([Buffer.concat(payloads('app-100-1.log'))]).toEqual(joined(bytes.toString('latin1').replace(/\r\n/g, '\n').split('\n')));
  });

  it('with one line a message: the stream drops every line shipped again, and the sink counts it', async () => {
    const server = await startNats();
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, numbered(1, 2_000).join('\n') + '\n');
    expect(await ship(server, file)).toMatchObject({ lines: 2_000, duplicates: 0 });
    await appendFile(file, numbered(2_001, 100).join('\n') + '\n');
    expect(await ship(server, file)).toMatchObject({ lines: 2_100, duplicates: 2_000 });
    const nc = await natsClient(server.address);
    expect(await jetStreamCount(nc, 'LOGS')).toBe(2_100);
    const stored = await readJetStream(nc, 'LOGS');
    expect(stored.map((m) => m.text)).toEqual(numbered(1, 2_100));
    expect(stored[1]!.headers).toMatchObject({ 'Tail-Offset': String(numbered(1, 1)[0]!.length + 1), 'Tail-Line': '2' });
  }, 30_000);

  it('with several lines a message, a retry within the run is dropped as a duplicate', async () => {
    const server = await startNats();
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, numbered(1, 1_000).join('\n') + '\n');
    expect((await ship(server, file, { linesPerMessage: 50 })).duplicates).toBe(0);
    const nc = await natsClient(server.address);
    const messages = await jetStreamCount(nc, 'LOGS');
    // 50 lines a message, but none across reads.
    expect(messages).toBeGreaterThanOrEqual(20);
    expect(messages).toBeLessThanOrEqual(25);
    // The same lines from the same start make the same messages: all dropped.
    expect((await ship(server, file, { linesPerMessage: 50 })).duplicates).toBe(1_000);
    expect(await jetStreamCount(nc, 'LOGS')).toBe(messages);
  });

  it('does not start when the stream it names cannot be made, and stops when another stream takes the lines', async () => {
    const server = await startNats();
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'one\n');
    await ship(server, file);
    // OTHER cannot be created: LOGS takes its subjects already.
    await expect(ship(server, file, { stream: 'OTHER' })).rejects.toMatchObject({ name: 'SinkError', code: 'ERR_SINK_OPEN', message: expect.stringContaining('subjects overlap') });
    // ELSE exists, but the messages go to LOGS: no retry can fix that.
    await (await jetstreamManager(await natsClient(server.address))).streams.add({ name: 'ELSE', subjects: ['else.>'] });
    await expect(ship(server, file, { stream: 'ELSE' })).rejects.toMatchObject({ name: 'SinkError', code: 'ERR_SINK_REJECTED', message: expect.stringContaining('expected stream does not match') });
  });
});

describe('natsSink()', () => {
  it('asks for about 50 messages a send: 50 lines with one line a message, 1 000 at most', () => {
    expect([1, 5, 10, 100].map((linesPerMessage) => natsSink({ linesPerMessage }).batchLines)).toEqual([50, 250, 500, 1_000]);
  });
});
