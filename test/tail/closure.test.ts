import { spawn } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { PassThrough } from 'node:stream';
import { AbortError, tail, TailError } from '../../src/index.js';
import { openFds, tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

/** Handles the engine could leak: descriptors, watchers, timers. */
function resources(): { fds: number; watchers: number; timers: number; handles: number } {
  const info = process.getActiveResourcesInfo();
  return {
    fds: openFds().length,
    watchers: info.filter((r) => r === 'FSEventWrap').length,
    timers: info.filter((r) => r === 'Timeout').length,
    handles: info.filter((r) => r === 'FileHandle').length,
  };
}

async function fileWithLines(count: number): Promise<string> {
  const file = path.join(await tempDir(), 'app.log');
  await writeFile(file, Array.from({ length: count }, (_, i) => `line ${i}`).join('\n') + '\n');
  return file;
}

/** Waits until every engine resource is back to `baseline` (timers may also be fewer: the runner's own come and go). */
async function backTo(baseline: ReturnType<typeof resources>): Promise<void> {
  const ok = () => {
    const now = resources();
    return now.fds === baseline.fds && now.watchers === baseline.watchers && now.handles === baseline.handles && now.timers <= baseline.timers;
  };
  await waitFor(ok, `resources back to ${JSON.stringify(baseline)}, now ${JSON.stringify(resources())}`, 2_000);
}

// libuv opens one inotify descriptor for the whole process on the first watch and keeps it: warm it up
// so that it is part of every baseline.
beforeAll(async () => {
  const file = await fileWithLines(1);
  for await (const _ of tail(file)) break;
});

describe('closing', () => {
  it('releases everything after 200 open/break cycles', async () => {
    const file = await fileWithLines(50);
    const baseline = resources();
    for (let i = 0; i < 200; i++) {
      for await (const line of tail(file)) {
        if (line.lineNumber > 0) break;
      }
    }
    await backTo(baseline);
  });

  it('releases everything when the loop body throws, and lets the error through', async () => {
    const file = await fileWithLines(5);
    const baseline = resources();
    const boom = new Error('boom');
    await expect(
      (async () => {
        for await (const _ of tail(file)) throw boom;
      })(),
    ).rejects.toBe(boom);
    await backTo(baseline);
  });

  it('ends and releases everything at the end of a no-follow read', async () => {
    const file = await fileWithLines(5);
    const baseline = resources();
    let n = 0;
    for await (const _ of tail(file, { follow: false })) n++;
    expect(n).toBe(5);
    await backTo(baseline);
  });

  it('rejects a pending next() with ABORT_ERR when the signal aborts, and releases everything', async () => {
    const file = await fileWithLines(3);
    const baseline = resources();
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const line of tail(file, { signal: controller.signal })) seen.push(line.text);
    })();
    await waitFor(() => seen.length === 3, 'the three lines');
    // The loop now waits for new data: abort must end that wait.
    controller.abort();
    const error = await loop.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TailError);
    expect(error).toBeInstanceOf(AbortError);
    // The platform's convention (fetch, stream.pipeline): name AbortError, code ABORT_ERR, the reason as cause.
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: controller.signal.reason });
    await backTo(baseline);
  });

  it('opens nothing when the signal is already aborted', async () => {
    const file = await fileWithLines(3);
    const baseline = resources();
    const stream = tail(file, { signal: AbortSignal.abort() });
    await expect(stream.next()).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await backTo(baseline);
  });

  it('gives the timeout of AbortSignal.timeout() as the cause, so a loop can end cleanly on it', async () => {
    const file = await fileWithLines(1);
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const line of tail(file, { signal: AbortSignal.timeout(50) })) seen.push(line.text);
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual(['line 0']);
    expect(caught).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: { name: 'TimeoutError' } });
  });

  it('removes its listener from the signal when the iteration ends, whichever way', async () => {
    const file = await fileWithLines(3);
    const controller = new AbortController();
    const before = getEventListeners(controller.signal, 'abort').length;
    for await (const _ of tail(file, { follow: false, signal: controller.signal }));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(before);
    for await (const _ of tail(file, { signal: controller.signal })) break;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(before);
    const stream = tail(file, { signal: controller.signal });
    await stream.next();
    await stream.close();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(before);
  });

  it('leaves no listener on an input stream after its end, nor after a break', async () => {
    const events = ['data', 'end', 'error', 'close', 'readable'] as const;
    const count = (s: PassThrough) => events.reduce((n, e) => n + s.listenerCount(e), 0);
    const ended = new PassThrough();
    const baseline = count(ended);
    ended.end('a\nb\n');
    const texts: string[] = [];
    for await (const line of tail(ended)) texts.push(line.text);
    expect(texts).toEqual(['a', 'b']);
    expect(count(ended)).toBe(baseline);

    const open = new PassThrough();
    open.write('x\n');
    for await (const _ of tail(open)) break;
    expect(count(open)).toBe(baseline);
    expect(open.destroyed).toBe(true);
  });

  it('closes everything when the consumer calls throw() on the iterator, and rejects with that error', async () => {
    const file = await fileWithLines(3);
    const baseline = resources();
    const stream = tail(file);
    expect((await stream.next()).value?.text).toBe('line 0');
    expect(resources().fds).toBeGreaterThan(baseline.fds);
    const boom = new Error('consumer gave up');
    await expect(stream.throw!(boom)).rejects.toBe(boom);
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
    await backTo(baseline);
  });

  it('closes on Symbol.asyncDispose (await using)', async () => {
    const file = await fileWithLines(3);
    const baseline = resources();
    {
      await using lines = tail(file);
      const first = await lines.next();
      expect(first.value?.text).toBe('line 0');
      expect(resources().fds).toBeGreaterThan(baseline.fds);
    }
    await backTo(baseline);
  });

  it('closes from batches() on break too', async () => {
    const file = await fileWithLines(3000);
    const baseline = resources();
    for await (const batch of tail(file, { start: { fromLine: 1 } }).batches()) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    await backTo(baseline);
  });

  it('ends a pending next() when close() is called from outside', async () => {
    const file = await fileWithLines(1);
    const stream = tail(file);
    expect((await stream.next()).value?.text).toBe('line 0');
    const pending = stream.next();
    await stream.close();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await stream.close(); // idempotent
  });

  it('lets a child process that tails a file and breaks exit on its own', async () => {
    const file = await fileWithLines(1);
    const dist = path.resolve(fileURLToPath(import.meta.url), '../../../dist/index.js');
    const script = `
      import { tail } from ${JSON.stringify(dist)};
      for await (const line of tail(process.argv[1])) {
        if (line.text === 'line 0') console.log('reading');
        if (line.text === 'stop') break;
      }
      console.log('done');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // Append only once the child has read the file's line: then 'stop' can only come by following.
      await waitFor(() => stdout === 'reading\n', () => `the child to read the first line (stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)})`);
      await appendFile(file, 'more\nstop\n');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000))]);
      expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'reading\ndone\n', stderr: '' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
