import { describe, expect, it } from 'vitest';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { tail } from '../../src/index.js';
import { timeWindow } from '../../src/chain/processors/time-window.js';
import { isoTime } from '../../src/time/line-time.js';
import { tempDir } from '../helpers/fs.js';
import { ctx } from '../chain/processors/ctx.js';
import { waitFor } from '../helpers/wait.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const at = (s: number, text = `event ${s}`) => `${new Date(T0 + s * 1000).toISOString()} ${text}`;

async function collect(lines: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line.text);
  return out;
}

describe('timeWindow', () => {
  it('drops lines before since and from the first after until, per source; lines without a time go with the one before', () => {
    const past: string[] = [];
    const w = timeWindow({ since: T0 + 10_000, until: T0 + 20_000, timeOf: (t) => isoTime(t), onPast: (s) => past.push(s) });
    const texts = ['no time yet', at(5), '  trace of 5', at(10), '  trace of 10', at(15), at(20), at(21), '  trace of 21', at(15, 'late but past')];
    const kept = texts.filter((t) => w.process(t, ctx(t, 'a.log')) === undefined);
    expect(kept).toEqual([at(10), '  trace of 10', at(15), at(20)]);
    expect(past).toEqual(['a.log']);
    // Another source starts before since on its own.
    expect(w.process(at(12), ctx(at(12), 'b.log'))).toBeUndefined();
  });
});

describe('tail() with since and until', () => {
  it('starts a file at its first line at or after since, and ends it after the last at or before until', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, [at(0), at(60), '  trace', at(120), at(180), at(240)].join('\n') + '\n');
    const lines = await collect(tail(file, { follow: false, since: new Date(T0 + 61_000), until: T0 + 180_000 }));
    expect(lines).toEqual([at(120), at(180)]);
    expect(await collect(tail(file, { follow: false, since: '2024-05-01T00:01:00Z' }))).toEqual([at(60), '  trace', at(120), at(180), at(240)]);
  });

  it('reads a JSON field in epoch seconds or milliseconds, by timeField', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.jsonl');
    const rec = (s: number) => JSON.stringify({ msg: `m${s}`, at: { ms: T0 + s * 1000 }, time: (T0 + s * 1000) / 1000 });
    await writeFile(file, [rec(0), rec(10), rec(20)].join('\n') + '\n');
    expect(await collect(tail(file, { follow: false, since: T0 + 5000 }))).toEqual([rec(10), rec(20)]);
    expect(await collect(tail(file, { follow: false, since: T0 + 15_000, timeField: 'at.ms' }))).toEqual([rec(20)]);
  });

  it('drops the lines of a stream before since', async () => {
    const stream = Readable.from([[at(0), at(1), at(2), 'tail of 2', at(3)].join('\n') + '\n']);
    expect(await collect(tail({ name: 'in', stream }, { since: T0 + 1500 }))).toEqual([at(2), 'tail of 2', at(3)]);
  });

  it('takes a timeOf of its own', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'n.log');
    await writeFile(file, 't=5 a\nt=10 b\nt=15 c\n');
    const timeOf = (text: string) => Number(/^t=(\d+)/.exec(text)?.[1]);
    expect(await collect(tail(file, { follow: false, since: 10, until: 10, timeOf }))).toEqual(['t=10 b']);
  });

  it('ends following once every file showed a line past until', async () => {
    const dir = await tempDir();
    const [a, b] = [path.join(dir, 'a.log'), path.join(dir, 'b.log')];
    const now = Date.now();
    const stamp = (ms: number, text: string) => `${new Date(ms).toISOString()} ${text}`;
    await writeFile(a, stamp(now - 1000, 'a1') + '\n');
    await writeFile(b, stamp(now - 1000, 'b1') + '\n');
    // until an hour from now: only the files can end the run.
    const lines = tail([a, b], { since: now - 5000, until: now + 3_600_000 });
    const out: string[] = [];
    const done = (async () => {
      for await (const line of lines) out.push(line.text);
    })();
    await waitFor(() => out.length === 2, 'the first lines');
    await appendFile(a, stamp(now + 7_200_000, 'a past') + '\n' + stamp(now, 'a after past') + '\n');
    await appendFile(b, stamp(now, 'b2') + '\n');
    await waitFor(() => out.includes(stamp(now, 'b2')), 'b2');
    await appendFile(b, stamp(now + 7_200_000, 'b past') + '\n');
    await done;
    expect(out.sort()).toEqual([stamp(now - 1000, 'a1'), stamp(now - 1000, 'b1'), stamp(now, 'b2')].sort());
  });

  it('ends following a quiet file once until has passed on the clock', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'quiet.log');
    const now = Date.now();
    await writeFile(file, `${new Date(now).toISOString()} only\n`);
    const lines = await collect(tail(file, { since: now - 1000, until: now + 200 }));
    expect(lines).toEqual([`${new Date(now).toISOString()} only`]);
  });

  it.each([
    [{ since: 'yesterday' }, "invalid time for tail(): since: 'yesterday'"],
    [{ since: 10, until: 5 }, 'until is before since'],
    [{ since: 10, start: { lines: 3 } }, 'give start or since, not both'],
    [{ since: new Date(NaN) }, 'since is an invalid Date'],
    [{ until: 1, timeField: '' }, 'timeField must be a non-empty string'],
  ])('refuses %j', (options, message) => {
    expect(() => tail('x.log', options as never)).toThrow(message);
  });
});

describe('tail() past until', () => {
  it('ends once every source is past until, without reading the rest: a stream left open ends the iteration too', async () => {
    const { PassThrough } = await import('node:stream');
    const stream = new PassThrough();
    stream.write([at(0), at(10), '  trace of 10', at(20), at(30)].join('\n') + '\n');
    // Never ended: only the line past until can end the iteration.
    const lines = await collect(tail({ name: 'in', stream }, { follow: false, start: { fromLine: 1 }, until: T0 + 15_000 }));
    expect(lines).toEqual([at(0), at(10), '  trace of 10']);
    stream.destroy();
  });
});
