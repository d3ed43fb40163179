/**
 * The --serve page in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core;
 * no browser is ever downloaded). One browser for the file, a page (and a server) per test. Writes the
 * README's screenshot, docs/serve.png.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serve, tail, type ServeHandle, type ServeOptions } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { locate } from '../helpers/server-binaries.js';
import { skipWithout } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const SCREENSHOT = path.resolve(fileURLToPath(import.meta.url), '../../../docs/serve.png');

let browser: Browser;
const servers: ServeHandle[] = [];
const proxies: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const p of proxies.splice(0)) p.close();
});

/** A server for `files` (relative to `dir`, read from their first line), and a browser page open on it. */
async function open(dir: string, files: string[], options: ServeOptions = {}, via?: (url: string) => Promise<string>): Promise<{ page: Page; server: ServeHandle; dialogs: string[] }> {
  const server = await serve(tail(files.map((f) => path.join(dir, f)), { start: { fromLine: 1 } }), options);
  servers.push(server);
  const page = await browser.newPage({ viewport: { width: 1100, height: 560 } });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(via ? await via(server.url) : server.url);
  return { page, server, dialogs };
}

/** What Chromium's traces call one task of a thread's loop (`toplevel`; `RunTask` in the timeline's). */
const TASKS = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);

/**
 * The longest task of a page's main thread in a Chromium trace, in CPU time (ms): the busiest renderer's
 * tasks, by their thread time.
 */
function longestTaskCpu(trace: Buffer): number {
  type Event = { name: string; pid: number; tid: number; args?: { name?: string }; tdur?: number };
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: Event[] } | Event[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const renderers = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, { total: number; longest: number }>();
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (!TASKS.has(e.name) || e.tdur === undefined || !renderers.has(thread)) continue;
    const seen = byThread.get(thread) ?? { total: 0, longest: 0 };
    seen.total += e.tdur;
    seen.longest = Math.max(seen.longest, e.tdur);
    byThread.set(thread, seen);
  }
  const busiest = [...byThread.values()].sort((a, b) => b.total - a.total)[0];
  if (!busiest) throw new Error('the trace has no task of a page');
  return busiest.longest / 1000;
}

/** The lines the page holds: [source, text] of each. */
const rows = (page: Page) => page.$$eval('#log .line', (els) => els.map((el) => [el.children[0]!.textContent, el.children[1]!.textContent] as [string, string]));
/** The text of the lines shown (not filtered out). */
const shownTexts = (page: Page) => page.$$eval('#log .line:not([hidden]) .text', (els) => els.map((el) => el.textContent));

async function untilRows(page: Page, count: number, ms = 10_000): Promise<void> {
  await waitFor(async () => (await page.locator('#log .line').count()) === count, `${count} lines in the page`, ms, 20);
}

/**
 * A TCP relay to `url`'s server that can cut every connection and refuse new ones for a while: what a
 * page sees when the network or the server's connection goes away.
 */
async function relay(url: string): Promise<{ url: string; cut: () => void; restore: () => void }> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  proxies.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}${target.search}`,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => (down = false),
  };
}

describe.skipIf(skipWithout('chromium'))('the --serve page in headless Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: locate('chromium') ?? 'chromium', args: ['--no-sandbox'] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows lines as they arrive, each with its file name and colour; text is always text', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'app.log'), 'app one\n');
    await writeFile(path.join(dir, 'db.log'), 'db one\n');
    const { page, dialogs } = await open(dir, ['app.log', 'db.log']);
    await untilRows(page, 2);
    const xss = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>', '&lt;b&gt; &amp; "quotes"'];
    await appendFile(path.join(dir, 'app.log'), xss.join('\n') + '\n');
    await appendFile(path.join(dir, 'db.log'), 'db two\n');
    await untilRows(page, 6);
    const byFile = (name: string, all: [string, string][]) => all.filter(([s]) => s === path.join(dir, name)).map(([, t]) => t);
    const all = await rows(page);
    expect(byFile('app.log', all)).toEqual(['app one', ...xss]);
    expect(byFile('db.log', all)).toEqual(['db one', 'db two']);
    // Each file its own colour, the same on each of its lines; and its name in the list of files.
    const colours = await page.$$eval('#log .line .src', (els) => els.map((el) => [el.textContent, el.className, (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color]));
    const of = (name: string) => new Set(colours.filter(([s]) => s === path.join(dir, name)).map(([, c, rgb]) => `${c} ${rgb}`));
    expect(of('app.log').size).toBe(1);
    expect(of('db.log').size).toBe(1);
    expect([...of('app.log')][0]).not.toBe([...of('db.log')][0]);
    expect(await page.$$eval('#files .src', (els) => els.map((el) => el.textContent))).toEqual([path.join(dir, 'app.log'), path.join(dir, 'db.log')].sort());
    // The markup came out as characters: no element was made of it, nothing ran.
    expect(await page.locator('#log img, #log script, #log b').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator('#status').textContent()).toBe('live');
  });

  it('filters by regex, highlights a search, pauses with a count of lines held, and resumes', async () => {
    const dir = await tempDir();
    const texts = ['INFO start', 'ERROR disk full', 'WARN slow', 'INFO ok', 'ERROR timeout'];
    await writeFile(path.join(dir, 'app.log'), texts.join('\n') + '\n');
    const { page } = await open(dir, ['app.log']);
    await untilRows(page, 5);
    await page.fill('#filter', 'ERROR|WARN');
    await waitFor(async () => (await shownTexts(page)).length === 3, 'the filter');
    expect(await shownTexts(page)).toEqual(['ERROR disk full', 'WARN slow', 'ERROR timeout']);
    // New lines are filtered as they come.
    await appendFile(path.join(dir, 'app.log'), 'INFO new\nERROR new\n');
    await untilRows(page, 7);
    await waitFor(async () => (await shownTexts(page)).length === 4, 'the new line filtered');
    expect((await shownTexts(page)).at(-1)).toBe('ERROR new');
    // A pattern that is no regex is shown as such, and filters nothing.
    await page.fill('#filter', 'ERROR(');
    await waitFor(async () => (await page.getAttribute('#filter', 'class')) === 'invalid', 'the invalid mark');
    expect(await shownTexts(page)).toHaveLength(7);
    await page.fill('#filter', '');

    await page.fill('#search', 'error');
    await waitFor(async () => (await page.locator('#log mark').count()) === 3, 'three marks');
    expect(await page.$$eval('#log mark', (els) => els.map((el) => el.textContent))).toEqual(['ERROR', 'ERROR', 'ERROR']);
    expect(await page.textContent('#matches')).toBe('3 matches');
    await page.fill('#search', '');

    await page.click('#pause');
    await appendFile(path.join(dir, 'app.log'), 'held 1\nheld 2\nheld 3\n');
    await waitFor(async () => (await page.textContent('#pause')) === 'Resume (3 held)', 'the held count');
    expect(await page.locator('#log .line').count()).toBe(7);
    await page.click('#pause');
    await untilRows(page, 10);
    expect((await rows(page)).slice(-3).map(([, t]) => t)).toEqual(['held 1', 'held 2', 'held 3']);
    expect(await page.textContent('#pause')).toBe('Pause');
  });

  it('resumes after its connection is cut, without a line lost or doubled', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
    await writeFile(file, numbered(1, 50).join('\n') + '\n');
    let link!: Awaited<ReturnType<typeof relay>>;
    const { page } = await open(dir, ['app.log'], {}, async (url) => (link = await relay(url)).url);
    await untilRows(page, 50);
    for (const [from, to] of [
      [51, 120],
      [121, 400],
    ] as const) {
      link.cut();
      await waitFor(async () => (await page.textContent('#status')) === 'reconnecting', 'the page to see the cut');
      await appendFile(file, numbered(from, to).join('\n') + '\n');
      link.restore();
      await untilRows(page, to);
      expect((await rows(page)).map(([, t]) => t)).toEqual(numbered(1, to));
      expect(await page.textContent('#status')).toBe('live');
    }
    expect(await page.locator('#notices p').count()).toBe(0);
  });

  it('stays responsive through a burst of 10 000 lines/s, keeping the newest N lines', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'burst.log');
    await writeFile(file, '');
    const { page } = await open(dir, ['burst.log'], { lines: 10_000 });
    // The longest main-thread task (Long Tasks API: tasks over 50 ms), and the longest gap between two frames.
    await page.evaluate(`
      window.longest = 0;
      window.gap = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.longest = Math.max(window.longest, entry.duration);
      }).observe({ type: 'longtask', buffered: true });
      let last = performance.now();
      const tick = (now) => {
        window.gap = Math.max(window.gap, now - last);
        last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    `);
    // What the page's main thread spends in each task, in CPU time (a trace's thread time): a task's length
    // on the clock says as much about the other processes of a loaded machine as about the page.
    // (Chromium's `toplevel` category: its tasks alone, a trace of a few MB where the timeline's is 50.)
    await browser.startTracing(page, { categories: ['toplevel'] });
    // 10 lines a millisecond for 3 s, kept to that pace by the clock (a late tick writes what it owes).
    const total = 30_000;
    const started = Date.now();
    for (let written = 0; written < total; ) {
      const due = Math.min(total, Math.floor((Date.now() - started) * 10));
      if (due > written) await appendFile(file, Array.from({ length: due - written }, (_, i) => `line ${String(written + i + 1).padStart(6, '0')}\n`).join(''));
      written = Math.max(written, due);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const writeMs = Date.now() - started;
    // Asked with the page's own querySelector: Playwright's selector engine runs as a task of the page too.
    const newest = () => page.evaluate("document.querySelector('#log .block:last-child .line:last-child .text')?.textContent");
    await waitFor(async () => (await newest()) === `line ${String(total).padStart(6, '0')}`, 'the last line', 20_000, 50);
    const shownMs = Date.now() - started;
    // Then the most a page ever has to put in at once: paused through 12 000 lines, it resumes with the
    // newest 10 000 of them.
    await page.click('#pause');
    await appendFile(file, Array.from({ length: 12_000 }, (_, i) => `held ${String(i + 1).padStart(6, '0')}\n`).join(''));
    await waitFor(async () => (await page.textContent('#pause')) === 'Resume (12000 held)', 'the held lines counted');
    expect(await newest()).toBe(`line ${String(total).padStart(6, '0')}`);
    await page.click('#pause');
    await waitFor(async () => (await newest()) === 'held 012000', 'the last held line', 20_000, 50);
    const cpu = longestTaskCpu(await browser.stopTracing());
    const { longest, gap } = (await page.evaluate('({ longest: window.longest, gap: window.gap })')) as { longest: number; gap: number };
    console.info(`serve page burst: ${total} lines written in ${writeMs} ms (${Math.round((total / writeMs) * 1000)} lines/s), all shown after ${shownMs} ms; longest main-thread task ${Math.round(cpu)} ms of CPU, ${Math.round(longest)} ms on the clock; longest gap between frames ${Math.round(gap)} ms`);
    expect(await page.locator('#log .line').count()).toBe(10_000);
    expect(await page.locator('#log .block:first-child .line:first-child .text').textContent()).toBe('held 002001');
    // No task of the page does much: it puts lines in for 8 ms a frame, and the browser lays out only the
    // blocks in view (about 40 ms of CPU at most here). Without both, one task took 0.6-1 s of CPU here.
    expect(cpu).toBeLessThan(250);

    // Scrolled up, the view stays where it is as lines come, and "Jump to newest" brings it back.
    expect(await page.isHidden('#newest')).toBe(true);
    await page.$eval('#log', (el) => el.scrollTo(0, 0));
    await page.waitForSelector('#newest', { state: 'visible' });
    await appendFile(file, 'one more\n');
    await waitFor(async () => (await page.locator('#log .block:last-child .line:last-child .text').textContent()) === 'one more', 'one more');
    expect(await page.$eval('#log', (el) => el.scrollTop)).toBeLessThan(1_000);
    await page.click('#newest');
    await waitFor(async () => (await page.$eval('#log', (el) => el.scrollHeight - el.scrollTop - el.clientHeight)) < 5, 'the view at the newest line');
    expect(await page.isHidden('#newest')).toBe(true);
  }, 40_000);

  it('writes the README screenshot', async () => {
    const dir = await tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const at = (s: number) => `2026-12-01T07:14:${String(s).padStart(2, '0')}.${String(s * 37 % 1000).padStart(3, '0')}Z`;
      await writeFile('app.log', [
        `${at(1)} INFO  GET /api/orders 200 12ms`,
        `${at(2)} INFO  GET /api/orders/8812 200 9ms`,
        `${at(4)} WARN  slow query on orders (812 ms)`,
        `${at(5)} ERROR POST /api/checkout 502 upstream timeout`,
        `${at(7)} INFO  GET /health 200 1ms`,
      ].join('\n') + '\n');
      await writeFile('db.log', [`${at(3)} LOG: checkpoint starting: time`, `${at(4)} LOG: duration: 812.4 ms statement: SELECT * FROM orders WHERE …`, `${at(6)} ERROR: canceling statement due to statement timeout`].join('\n') + '\n');
      await writeFile('worker.log', [`${at(2)} job 4411 done`, `${at(6)} job 4412 failed: timeout after 30s`, `${at(8)} <img src=x onerror=alert(1)> stays text`].join('\n') + '\n');
      const server = await serve(tail(['app.log', 'db.log', 'worker.log'], { start: { fromLine: 1 } }));
      servers.push(server);
      const page = await browser.newPage({ viewport: { width: 1000, height: 330 } });
      await page.goto(server.url);
      await untilRows(page, 11);
      await page.fill('#search', 'timeout');
      await waitFor(async () => (await page.locator('#log mark').count()) === 3, 'the marks');
      await page.screenshot({ path: SCREENSHOT });
    } finally {
      process.chdir(cwd);
    }
  });
});
