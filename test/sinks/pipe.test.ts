import { readFile, stat, truncate, writeFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SinkError, tail, TailError, type OutageEvent, type PipeResult, type Sink, type SinkLine } from '../../src/index.js';
import { fdsUnder, tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';
import { collector } from '../helpers/gc.js';

/** A file of `count` numbered lines (`line 000001`…), 12 bytes each. */
async function setup(count: number) {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, lines(1, count));
  return { dir, file, state: path.join(dir, 'state.json') };
}

const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${String(from + i).padStart(6, '0')}\n`).join('');
const LINE = 12;

async function savedOffset(state: string): Promise<number | undefined> {
  if (!existsSync(state)) return undefined;
  const { entries } = JSON.parse(await readFile(state, 'utf8')) as { entries: Array<{ offset: number }> };
  return entries[0]?.offset;
}

/**
 * A sink under the test's control: each send waits until the test settles it (`ack(i)`, `fail(i, error)`),
 * or, with `auto`, answers at once with what `auto` says (undefined: acknowledged).
 */
function controlledSink(auto?: (batch: readonly SinkLine[], call: number) => Error | undefined) {
  const calls: Array<{ batch: readonly SinkLine[]; settle: (error?: Error) => void; settled: boolean }> = [];
  const stored: string[] = [];
  let open = 0;
  const state = { opened: 0, closed: 0, maxOpen: 0 };
  const sink: Sink = {
    name: 'test://sink',
    async open() {
      state.opened++;
    },
    send(batch) {
      open++;
      state.maxOpen = Math.max(state.maxOpen, open);
      return new Promise<void>((resolve, reject) => {
        const call = {
          batch,
          settled: false,
          settle: (error?: Error) => {
            if (call.settled) return;
            call.settled = true;
            open--;
            if (error) reject(error);
            else {
              stored.push(...batch.map((r) => r.line.text));
              resolve();
            }
          },
        };
        calls.push(call);
        if (auto) call.settle(auto(batch, calls.length - 1));
      });
    },
    async close() {
      state.closed++;
    },
  };
  return { sink, calls, stored, state, ack: (i: number) => calls[i]!.settle(), fail: (i: number, e: Error) => calls[i]!.settle(e) };
}

describe('pipeTo()', () => {
  it('ships every line once, in order, resolves with the counts, and saves the end as the checkpoint', async () => {
    const { file, state } = await setup(5_000);
    const { sink, stored, state: s } = controlledSink(() => undefined);
    const result = await tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 4096 }).pipeTo(sink);
    expect(stored).toEqual(lines(1, 5_000).trimEnd().split('\n'));
    expect(result).toMatchObject({ lines: 5_000, duplicates: 0, retries: 0, outages: 0 });
    expect(result.batches).toBeGreaterThan(10);
    expect(await savedOffset(state)).toBe(5_000 * LINE);
    expect(s).toMatchObject({ opened: 1, closed: 1 });
  });

  it('keeps at most maxInFlight batches out, and reads at most one batch ahead while they are', async () => {
    const { file, state } = await setup(20_000);
    const { sink, calls, state: s, ack } = controlledSink();
    // A processor sees each line as it is read.
    let read = 0;
    const count = (): undefined => void read++;
    const lines = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 4096, processors: [count] });
    const done = lines.pipeTo(sink, { maxInFlight: 3 });
    await waitFor(() => calls.length === 3, '3 sends');
    // Reading stopped: beyond the batches in flight, one read (4096 bytes: 341 lines) is ready to go.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls.length).toBe(3);
    const perRead = Math.floor(4096 / LINE);
    expect(read - calls.reduce((n, c) => n + c.batch.length, 0)).toBeLessThanOrEqual(perRead);
    expect(lines.bufferedBytes).toBeLessThanOrEqual(4096);
    ack(1);
    await waitFor(() => calls.length === 4, 'a fourth send once one was acknowledged');
    for (let i = 0; ; i++) {
      await waitFor(() => calls.length > i || s.closed > 0, `send ${i}`);
      if (calls.length <= i) break;
      ack(i);
    }
    expect((await done).lines).toBe(20_000);
    expect(s.maxOpen).toBe(3);
  });

  it('reads about maxInFlight × maxBatchLines lines at a time (16 KiB at least), not a whole readSize, so that little waits behind the batches in flight', async () => {
    const { file, state } = await setup(20_000);
    const { sink, calls, state: s, ack } = controlledSink();
    let read = 0;
    const count = (): undefined => void read++;
    const lines = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, processors: [count] });
    const done = lines.pipeTo(sink, { maxInFlight: 2, maxBatchLines: 200 });
    await waitFor(() => calls.length === 2, '2 sends');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // 400 lines of LINE bytes would be less than 16 KiB: reads of 16 KiB, of which at most two are in.
    const perRead = Math.ceil((16 * 1024) / LINE);
    expect(read).toBeLessThanOrEqual(2 * perRead + 1);
    expect(read).toBeLessThan((256 * 1024) / LINE);
    for (let i = 0; ; i++) {
      await waitFor(() => calls.length > i || s.closed > 0, `send ${i}`);
      if (calls.length <= i) break;
      ack(i);
    }
    expect((await done).lines).toBe(20_000);
  });

  it('keeps no acknowledged line reachable while it ships: a long run holds what is in flight, not what was shipped', async () => {
    const gc = collector();
    const { file, state } = await setup(20_000);
    const shipped: Array<WeakRef<object>> = [];
    let reachable = -1;
    const sink: Sink = {
      name: 'test://sink',
      async send(batch) {
        shipped.push(new WeakRef(batch[0]!.line));
        if (shipped.length === 40) {
          await gc();
          reachable = shipped.slice(0, 30).filter((ref) => ref.deref() !== undefined).length;
        }
      },
      async close() {},
    };
    const result = await tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 4096 }).pipeTo(sink, { maxInFlight: 2 });
    expect(result.batches).toBeGreaterThan(40);
    expect(reachable).toBe(0);
  });

  it('sends a large read in parts of at most maxBatchLines lines, and commits each part as it is acknowledged', async () => {
    const { file, state } = await setup(5_000);
    const { sink, calls, stored, state: s } = controlledSink(() => undefined);
    const result = await tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 1 << 20 }).pipeTo(sink, { maxBatchLines: 700, maxInFlight: 2 });
    // Reads of about maxInFlight × maxBatchLines lines (16.8 KB), each sent in parts of 700 at most.
    const sizes = calls.map((c) => c.batch.length);
    expect(Math.max(...sizes)).toBe(700);
    expect(sizes.filter((n) => n === 700).length).toBeGreaterThanOrEqual(5);
    expect(stored).toEqual(lines_(5_000));
    expect(result).toMatchObject({ lines: 5_000, batches: sizes.length });
    expect(s.maxOpen).toBeLessThanOrEqual(2);
    expect(await savedOffset(state)).toBe(5_000 * LINE);
  });

  it("sends batches of the sink's batchLines at most, unless maxBatchLines is given", async () => {
    const { file, state } = await setup(1_000);
    let run = 0;
    const sizes = async (options: { maxBatchLines?: number }) => {
      const { sink, calls } = controlledSink(() => undefined);
      const result = await tail(file, { checkpoint: `${state}.${++run}`, follow: false, start: { fromLine: 1 }, readSize: 1 << 20 }).pipeTo({ ...sink, batchLines: 300 }, options);
      expect(result.lines).toBe(1_000);
      return calls.map((c) => c.batch.length);
    };
    expect(await sizes({})).toEqual([300, 300, 300, 100]);
    expect(await sizes({ maxBatchLines: 600 })).toEqual([600, 400]);
    const { sink } = controlledSink(() => undefined);
    await expect(tail(file).pipeTo({ ...sink, batchLines: 0 })).rejects.toThrow("pipeTo(): the sink's batchLines must be a whole number >= 1, not 0");
  });

  it('moves the checkpoint only over the contiguous prefix of acknowledged lines', async () => {
    const { file, state } = await setup(1_000);
    const { sink, calls, ack } = controlledSink();
    const controller = new AbortController();
    const lines = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 1200 });
    const done = lines.pipeTo(sink, { maxInFlight: 4, signal: controller.signal, drainTimeout: 0 });
    await waitFor(() => calls.length === 4, '4 sends');
    // Batches 2 and 3 (of 100 lines each) are acknowledged, batch 1 is not: nothing may count yet.
    ack(1);
    ack(2);
    controller.abort();
    await expect(done).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(await savedOffset(state)).toBe(0);

    // Next run: from the start; batch 1 acknowledged last carries the checkpoint over 1, 2 and 3.
    const again = controlledSink();
    const controller2 = new AbortController();
    const done2 = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 1200 }).pipeTo(again.sink, { maxInFlight: 4, signal: controller2.signal, drainTimeout: 0 });
    await waitFor(() => again.calls.length === 4, '4 sends');
    expect(again.calls[0]!.batch[0]!.line.offset).toBe(0);
    again.ack(2);
    again.ack(1);
    again.ack(0);
    await waitFor(() => again.stored.length === 300, 'the acknowledgments');
    controller2.abort();
    await expect(done2).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(await savedOffset(state)).toBe(300 * LINE);
  });

  it('retries a failed batch with backoff, in the order read, tells of the outage once each way, and loses nothing', async () => {
    const { file, state } = await setup(3_000);
    let down = true;
    const { sink, stored, calls } = controlledSink((_, call) => (down && call >= 2 ? new Error('connect ECONNREFUSED 127.0.0.1:6379') : undefined));
    const events: OutageEvent[] = [];
    const lines = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 4096 });
    const done = lines.pipeTo(sink, { retry: { minDelay: 5, maxDelay: 20 }, onOutage: (e) => events.push(e) });
    await waitFor(() => calls.length >= 10, 'several retries');
    down = false;
    const result = await done;
    expect(stored).toEqual(lines_(3_000));
    expect(result.lines).toBe(3_000);
    expect(result.retries).toBeGreaterThanOrEqual(5);
    expect(result.outages).toBe(1);
    expect(events.map((e) => [e.type, e.message.replace(/after [\d.]+ s/, 'after N s')])).toEqual([
      ['down', "cannot ship to 'test://sink': connect ECONNREFUSED 127.0.0.1:6379; reading paused until it is back"],
      ['up', "'test://sink' is back after N s; reading resumed"],
    ]);
    expect(await savedOffset(state)).toBe(3_000 * LINE);
  });

  it('waits longer each retry, up to maxDelay', async () => {
    const { file, state } = await setup(10);
    const times: number[] = [];
    const { sink } = controlledSink(() => {
      times.push(Date.now());
      return times.length <= 6 ? new Error('down') : undefined;
    });
    await tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 } }).pipeTo(sink, { retry: { minDelay: 20, maxDelay: 80 } });
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Planned 20, 40, 80, 80, 80, 80 ms, each drawn between half and all of it (timers may fire a little
    // late, never early). Uncapped, the last two would be 320 and 640 ms, so at least 160 and 320: below
    // that, maxDelay applied, with room for a late timer on a loaded machine.
    expect(gaps).toHaveLength(6);
    for (const [i, gap] of gaps.entries()) {
      const planned = Math.min(80, 20 * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(planned / 2 - 2);
      if (i >= 4) expect(gap).toBeLessThan((20 * 2 ** i) / 2);
    }
  });

  it('gives up after retry.retries with a SinkError, commits only what was acknowledged, and closes everything', async () => {
    const { dir, file, state } = await setup(1_000);
    const { sink, state: s } = controlledSink((_, call) => (call >= 3 ? new Error('the engine is down') : undefined));
    const lines = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 1200 });
    const error = await lines.pipeTo(sink, { maxInFlight: 1, retry: { retries: 2, minDelay: 1, maxDelay: 2 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({ code: 'ERR_SINK_RETRIES', sink: 'test://sink', message: "cannot ship to 'test://sink': the engine is down (gave up after 2 retries)" });
    expect(await savedOffset(state)).toBe(300 * LINE);
    expect(s.closed).toBe(1);
    expect(fdsUnder(dir)).toEqual([]);
    // The state file's lock was released: the next run takes up at line 301.
    const next = controlledSink(() => undefined);
    await tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 } }).pipeTo(next.sink);
    expect(next.stored[0]).toBe('line 000301');
    expect(next.stored).toHaveLength(700);
  });

  it('does not retry what the engine refuses for good (retryable: false)', async () => {
    const { file, state } = await setup(100);
    const refusal = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { retryable: false });
    const { sink, calls } = controlledSink(() => refusal);
    const error = await tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 } }).pipeTo(sink).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SinkError', code: 'ERR_SINK_REJECTED', cause: refusal });
    expect((error as Error).message).toBe("'test://sink' refused the lines: WRONGTYPE Operation against a key holding the wrong kind of value");
    expect(calls).toHaveLength(1);
    expect(await savedOffset(state)).toBe(0);
  });

  it('reads nothing, and leaves the state file alone, when the sink cannot be opened', async () => {
    const { dir, file, state } = await setup(10);
    await writeFile(state + '.keep', '');
    let closed = 0;
    const sink: Sink = {
      name: 'redis://db.example:6379/0',
      open: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.1:6379')),
      send: () => Promise.reject(new Error('not reached')),
      close: async () => void closed++,
    };
    const error = await tail(file, { checkpoint: state }).pipeTo(sink).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SinkError', code: 'ERR_SINK_OPEN', message: "cannot open 'redis://db.example:6379/0' for shipping: connect ECONNREFUSED 10.0.0.1:6379" });
    expect(closed).toBe(1);
    expect(existsSync(state)).toBe(false);
    expect(existsSync(state + '.lock')).toBe(false);
    expect(fdsUnder(dir)).toEqual([]);
  });

  it('stops on the signal at once while the sink is still connecting', async () => {
    const { file, state } = await setup(10);
    let closed = 0;
    const sink: Sink = { name: 'slow://open', open: () => new Promise(() => {}), send: () => Promise.resolve(), close: async () => void closed++ };
    const controller = new AbortController();
    const done = tail(file, { checkpoint: state }).pipeTo(sink, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(done).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(closed).toBe(1);
    expect(existsSync(state)).toBe(false);
  });

  it('stops on the signal: batches acknowledged within drainTimeout are committed, then both ends are closed', async () => {
    const { dir, file, state } = await setup(2_000);
    const { sink, calls, ack, state: s } = controlledSink();
    const controller = new AbortController();
    const done = tail(file, { checkpoint: state, start: { fromLine: 1 }, readSize: 1200 }).pipeTo(sink, { maxInFlight: 2, signal: controller.signal, drainTimeout: 400 });
    await waitFor(() => calls.length === 2, '2 sends');
    controller.abort();
    setTimeout(() => ack(0), 50);
    await expect(done).rejects.toBeInstanceOf(TailError);
    expect(calls).toHaveLength(2);
    expect(await savedOffset(state)).toBe(100 * LINE);
    expect(s.closed).toBe(1);
    expect(fdsUnder(dir)).toEqual([]);
  });

  it('ends when the tail is stopped, once what was read is acknowledged', async () => {
    const { file, state } = await setup(100);
    const { sink, stored } = controlledSink(() => undefined);
    const lines = tail(file, { checkpoint: state, start: { fromLine: 1 } });
    const done = lines.pipeTo(sink);
    await waitFor(() => stored.length === 100, 'the file');
    lines.stop();
    const result: PipeResult = await done;
    expect(result.lines).toBe(100);
    expect(await savedOffset(state)).toBe((await stat(file)).size);
  });

  it('names lines by file identity, epoch, offset and part: the same in every run, a new epoch after a truncation', async () => {
    const { file, state } = await setup(3);
    const keys = async () => {
      const { sink, calls } = controlledSink(() => undefined);
      await tail(file, { follow: false, start: { fromLine: 1 }, processors: [(text) => (text.endsWith('2') ? [text, text + 'b'] : undefined)] }).pipeTo(sink, { host: 'web-1' });
      return calls.flatMap((c) => c.batch.map((r) => [r.line.text, r.key, r.epoch, r.part]));
    };
    const first = await keys();
    expect(await keys()).toEqual(first);
    const st = await stat(file);
    const prefix = `web-1:${st.dev}:${st.ino}:${st.birthtimeMs}:`;
    expect(first).toEqual([
      ['line 000001', `${prefix}0:0:0`, 0, 0],
      ['line 000002', `${prefix}0:12:0`, 0, 0],
      ['line 000002b', `${prefix}0:12:1`, 0, 1],
      ['line 000003', `${prefix}0:24:0`, 0, 0],
    ]);

    const { sink, stored, calls } = controlledSink(() => undefined);
    const lines = tail(file, { checkpoint: state, start: { fromLine: 1 } });
    const done = lines.pipeTo(sink, { host: 'web-1' });
    await waitFor(() => stored.length === 3, 'the file');
    await truncate(file, 0);
    await appendFile(file, 'after\n');
    await waitFor(() => stored.length === 4, 'the line after the truncation');
    lines.stop();
    await done;
    expect(calls.flatMap((c) => c.batch.map((r) => r.key)).at(-1)).toBe(`${prefix}1:0:0`);
  });

  it('rejects bad options and sinks', async () => {
    const { file } = await setup(1);
    const { sink } = controlledSink(() => undefined);
    await expect(tail(file).pipeTo(sink, { maxInFlight: 0 })).rejects.toThrow('pipeTo(): maxInFlight must be a whole number >= 1, not 0');
    await expect(tail(file).pipeTo(sink, { retry: { retries: -1 } })).rejects.toThrow('pipeTo(): retry.retries must be a whole number >= 0 or Infinity, not -1');
    await expect(tail(file).pipeTo({ name: 'x' } as unknown as Sink)).rejects.toThrow('pipeTo(): the sink must be an object with send() and close() methods');
    const used = tail(file, { follow: false });
    for await (const _ of used) break;
    await expect(used.pipeTo(sink)).rejects.toThrow('iterate a tail either per line or with batches(), not both');
  });
});

const lines_ = (count: number) => lines(1, count).trimEnd().split('\n');
