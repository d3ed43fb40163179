import { appendFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serve, tail, type ServeHandle } from '../../src/index.js';
import { fdsUnder, tempDir } from '../helpers/fs.js';
import { connectSse } from '../helpers/sse.js';
import { waitFor } from '../helpers/wait.js';

const numbered = (from: number, to: number, width = 0) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}${'.'.repeat(width)}`);
const text = (lines: readonly string[]) => lines.map((l) => l + '\n').join('');
const eventsUrl = (server: ServeHandle) => new URL('events', server.url).href;

/** Status and body of a GET. */
function fetchText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function logFile(lines: readonly string[], name = 'app.log'): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const file = path.join(dir, name);
  await writeFile(file, text(lines));
  return { dir, file };
}

describe('serve()', () => {
  it('sends every line to every page, with the file it came from, as the files grow', async () => {
    const { dir, file: a } = await logFile(['a1', 'a2']);
    const b = path.join(dir, 'b.log');
    await writeFile(b, 'b1\n');
    await using server = await serve(tail([a, b], { start: { fromLine: 1 } }));
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.token).toBeUndefined();
    const pages = await Promise.all([connectSse(eventsUrl(server)), connectSse(eventsUrl(server))]);
    await appendFile(a, 'a3\n<img src=x onerror=alert(1)>\n');
    await appendFile(b, 'b2\n');
    for (const page of pages) {
      await waitFor(() => page.lines().length === 6, () => `6 lines (have ${JSON.stringify(page.lines())})`);
      expect(page.named('hello')).toEqual([{ lines: 10_000 }]);
      const byFile = (f: string) => page.lines().filter(([s]) => s === f).map(([, t]) => t);
      expect(byFile(a)).toEqual(['a1', 'a2', 'a3', '<img src=x onerror=alert(1)>']);
      expect(byFile(b)).toEqual(['b1', 'b2']);
    }
  });

  it('resumes a page that reconnects exactly after the last line it had (Last-Event-ID), or after ?last=', async () => {
    const { file } = await logFile(numbered(1, 3));
    await using server = await serve(tail(file, { start: { fromLine: 1 } }));
    const first = await connectSse(eventsUrl(server));
    await waitFor(() => first.lines().length === 3, '3 lines');
    first.close();
    await appendFile(file, text(numbered(4, 9)));
    const watcher = await connectSse(eventsUrl(server));
    await waitFor(() => watcher.lines().length === 9, '9 lines');
    const expected = numbered(4, 9);
    for (const header of [true, false]) {
      const url = header ? eventsUrl(server) : `${eventsUrl(server)}?last=${encodeURIComponent(first.lastId()!)}`;
      const again = await connectSse(url, header ? { 'Last-Event-ID': first.lastId()! } : {});
      await waitFor(() => again.lines().length === expected.length, () => `${expected.length} lines (have ${again.lines().length})`);
      expect(again.lines().map(([, t]) => t)).toEqual(expected);
      expect(again.named('missed')).toEqual([]);
      // What comes next comes once: the same line twice would show here.
      const marker = `marker ${expected.length}`;
      await appendFile(file, `${marker}\n`);
      expected.push(marker);
      await waitFor(() => again.lines().length === expected.length, `${expected.length} lines`);
      expect(again.lines().map(([, t]) => t)).toEqual(expected);
      again.close();
    }
    // An id is the file's identity and the line's offset, after a sequence number of this run.
    expect(first.lastId()).toMatch(/^[\w-]+\.3\.f:\d+:\d+:[\d.]+:0:14:0$/);
  });

  it('tells a page how many lines it missed when the server no longer holds them all, then sends what it holds', async () => {
    const { file } = await logFile(numbered(1, 3));
    await using server = await serve(tail(file, { start: { fromLine: 1 } }), { lines: 5 });
    const first = await connectSse(eventsUrl(server));
    await waitFor(() => first.lines().length === 3, '3 lines');
    first.close();
    await appendFile(file, text(numbered(4, 13)));
    const watcher = await connectSse(eventsUrl(server));
    await waitFor(() => watcher.lines().at(-1)?.[1] === 'line 13', 'line 13');
    const again = await connectSse(eventsUrl(server), { 'Last-Event-ID': first.lastId()! });
    await waitFor(() => again.lines().length === 5, '5 lines');
    expect(again.named('missed')).toEqual([{ count: 5 }]);
    expect(again.lines().map(([, t]) => t)).toEqual(numbered(9, 13));
    expect(again.named('hello')).toEqual([{ lines: 5 }]);
  });

  it('resumes a page of an earlier run of the server after the same line of that file, saying lines may be missing', async () => {
    const { file } = await logFile(numbered(1, 4));
    const one = await serve(tail(file, { start: { fromLine: 1 } }));
    const page = await connectSse(eventsUrl(one));
    await waitFor(() => page.lines().length === 4, '4 lines');
    await one.close();
    await appendFile(file, text(numbered(5, 7)));
    await using two = await serve(tail(file, { start: { fromLine: 1 } }));
    const again = await connectSse(eventsUrl(two), { 'Last-Event-ID': page.lastId()! });
    await appendFile(file, 'line 8\n');
    await waitFor(() => again.lines().length === 4, '4 lines');
    expect(again.lines().map(([, t]) => t)).toEqual(numbered(5, 8));
    expect(again.named('missed')).toEqual([{ count: null }]);
  });

  it('drops a page that stops reading once it falls behind what is held, with a notice, and no other page', async () => {
    const { file } = await logFile([]);
    const notices: string[] = [];
    await using server = await serve(tail(file, { start: { fromLine: 1 } }), { lines: 200, onNotice: (m) => notices.push(m) });
    const slow = await connectSse(eventsUrl(server), {}, true);
    const fast = await connectSse(eventsUrl(server));
    // 12 MB: more than the socket buffers between the two ends hold.
    const total = 12_000;
    await appendFile(file, text(numbered(1, total, 1000)));
    await waitFor(() => notices.length === 1, 'the notice', 20_000);
    expect(notices[0]).toMatch(/^page at [\d.:]+ fell \d+ lines behind what is held: dropped it \(it resumes when it reconnects\)$/);
    // Read it as soon as it is dropped: the server gives a dropped page 5 s to take its last event before
    // it cuts the connection (waiting for the fast page first took longer than that under load).
    slow.response.resume();
    await waitFor(() => fast.lines().length === total, () => `${total} lines (have ${fast.lines().length})`, 20_000);
    expect(fast.lines().map(([, t]) => t)).toEqual(numbered(1, total, 1000));
    await slow.ended;
    const [dropped] = slow.named<{ missed: number }>('dropped');
    expect(dropped!.missed).toBeGreaterThan(0);
    // It had every line up to where it was dropped, and was told how many came between that and the oldest held.
    expect(slow.lines().length + dropped!.missed).toBeLessThanOrEqual(total - 200 + 1);
    expect(slow.lines().map(([, t]) => t)).toEqual(numbered(1, slow.lines().length, 1000));
    expect(fast.named('dropped')).toEqual([]);
  });

  it('needs a token on a host other than loopback: 401 without it; with it (query, bearer, cookie) the page and its stream', async () => {
    const { file } = await logFile(['one']);
    await using server = await serve(tail(file, { start: { fromLine: 1 } }), { host: '0.0.0.0' });
    const token = server.token!;
    expect(token).toMatch(/^[\w-]{22}$/);
    expect(server.url).toBe(`http://0.0.0.0:${new URL(server.url).port}/?token=${token}`);
    const base = `http://127.0.0.1:${new URL(server.url).port}/`;
    for (const url of [base, `${base}events`, `${base}page.js`, `${base}?token=wrong`]) expect((await fetchText(url)).status).toBe(401);
    const page = await fetchText(`${base}?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="page.js" defer></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect((await fetchText(`${base}page.js`, { Cookie: cookie })).status).toBe(200);
    expect((await fetchText(`${base}page.css`, { Authorization: `Bearer ${token}` })).status).toBe(200);
    const events = await connectSse(`${base}events`, { Cookie: cookie });
    await waitFor(() => events.lines().length === 1, 'the line');
    expect((await fetchText(`${base}nothing`, { Cookie: cookie })).status).toBe(404);
  });

  it('on loopback without a token, answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const { file } = await logFile(['one']);
    await using server = await serve(tail(file, { start: { fromLine: 1 } }), { token: undefined });
    expect((await fetchText(server.url)).status).toBe(200);
    expect((await fetchText(server.url, { Host: `localhost:${new URL(server.url).port}` })).status).toBe(200);
    expect((await fetchText(server.url, { Host: 'evil.example:80' })).status).toBe(403);
  });

  it('closes the pages, the listener and the files on close() and on abort', async () => {
    for (const how of ['close', 'abort'] as const) {
      const { dir, file } = await logFile(['one']);
      const controller = new AbortController();
      const server = await serve(tail(file, { start: { fromLine: 1 } }), { signal: controller.signal });
      const page = await connectSse(eventsUrl(server));
      await waitFor(() => page.lines().length === 1, 'the line');
      expect(fdsUnder(dir)).not.toEqual([]);
      if (how === 'close') await server.close();
      else controller.abort();
      await page.ended;
      await server.done;
      await server.close();
      expect(fdsUnder(dir)).toEqual([]);
      await expect(fetchText(server.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
  });

  it('keeps serving when the input ends, telling pages; when it fails, tells them why and closes', async () => {
    const { dir, file } = await logFile(['one', 'two']);
    await using server = await serve(tail(file, { start: { fromLine: 1 }, follow: false }));
    await server.done;
    const page = await connectSse(eventsUrl(server));
    await waitFor(() => page.named('end').length === 1, 'the end');
    expect(page.lines().map(([, t]) => t)).toEqual(['one', 'two']);
    expect(page.named('end')).toEqual([{}]);

    const failing = await serve(tail(path.join(dir, 'missing.log'), { follow: 'descriptor' }));
    await expect(failing.done).rejects.toThrow();
    await expect(fetchText(failing.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('says what is wrong with its options, and when it cannot listen, closing the tail', async () => {
    const { dir, file } = await logFile(['one']);
    const unused = tail(file);
    await unused.open();
    expect(fdsUnder(dir)).not.toEqual([]);
    await expect(serve(unused, { lines: 0 })).rejects.toThrow('serve: lines must be a positive whole number (got 0)');
    expect(fdsUnder(dir)).toEqual([]);
    await using server = await serve(tail(file));
    const port = Number(new URL(server.url).port);
    const stream = tail(file);
    await expect(serve(stream, { port })).rejects.toThrow(`cannot serve on 127.0.0.1:${port}: Address already in use`);
    await server.close();
    expect(fdsUnder(dir)).toEqual([]);
  });
});
