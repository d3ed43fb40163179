import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exclude, multiline, tail, type Line, type Processor, type TailOptions } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';

async function setup(content: string, name = 'app.log') {
  const dir = await tempDir();
  const file = path.join(dir, name);
  await writeFile(file, content);
  return { dir, file, state: path.join(dir, 'state.json') };
}

/** Every line of a run without follow (from the checkpoint, else from line 1). */
async function run(files: string | string[], options: TailOptions): Promise<string[]> {
  const texts: string[] = [];
  for await (const line of tail(files, { follow: false, start: { fromLine: 1 }, ...options })) texts.push(line.text);
  return texts;
}

async function offsets(state: string): Promise<Record<string, number>> {
  const { entries } = JSON.parse(await readFile(state, 'utf8')) as { entries: Array<{ path: string; offset: number }> };
  return Object.fromEntries(entries.map((e) => [path.basename(e.path), e.offset]));
}

const failed = new Error('send failed');

describe('a line counts as delivered once the consumer asks for the next one or commits it', () => {
  it.each([
    ['throws', async (lines: AsyncIterable<Line>) => {
      for await (const line of lines) if (line.text === 'two') throw failed;
    }],
    ['breaks', async (lines: AsyncIterable<Line>) => {
      for await (const line of lines) if (line.text === 'two') break;
    }],
    ['returns', async (lines: AsyncIterable<Line>) => {
      for await (const line of lines) if (line.text === 'two') return;
    }],
  ])('a loop that %s on a line leaves it for the next run', async (_how, consume) => {
    const { file, state } = await setup('one\ntwo\nthree\n');
    await consume(tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 } })).catch((error: unknown) => {
      if (error !== failed) throw error;
    });
    expect(await offsets(state)).toEqual({ 'app.log': 4 });
    expect(await run(file, { checkpoint: state })).toEqual(['two', 'three']);
  });

  it('a batch loop left on a batch leaves that whole batch for the next run', async () => {
    const { file, state } = await setup('l1\nl2\nl3\nl4\nl5\nl6\n');
    const seen: string[][] = [];
    await expect(
      (async () => {
        for await (const batch of tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 6 }).batches()) {
          seen.push(batch.map((l) => l.text));
          if (batch.some((l) => l.text === 'l3')) throw failed;
        }
      })(),
    ).rejects.toBe(failed);
    expect(seen).toEqual([['l1', 'l2'], ['l3', 'l4']]);
    expect(await run(file, { checkpoint: state })).toEqual(['l3', 'l4', 'l5', 'l6']);
  });

  it('a line committed in the loop body counts even if the loop is left on it', async () => {
    const { file, state } = await setup('one\ntwo\nthree\n');
    const lines = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 } });
    for await (const line of lines) {
      if (line.text !== 'two') continue;
      lines.commit(line);
      break;
    }
    expect(await run(file, { checkpoint: state })).toEqual(['three']);
  });

  // Lines go through an exclude (filter), a multi-line joiner (holds lines), a filter of events, and an
  // expansion (one event, several lines out); the consumer fails on each output line in turn.
  const content = ['E1 keep', ' at a', 'noise', 'E2 keep,x,y', 'E3 drop', ' at b', 'E4 keep', ''].join('\n');
  const processors = (): Processor[] => [
    exclude(['^noise']),
    multiline(/^E/),
    (text) => (text.includes('drop') ? null : undefined),
    (text) => (text.includes(',') ? text.split(',') : undefined),
  ];
  const all = ['E1 keep\n at a', 'E2 keep', 'x', 'y', 'E4 keep'];
  it.each([
    [0, all],
    [1, ['E2 keep', 'x', 'y', 'E4 keep']],
    // An event expanded into several lines is one unit: it is delivered again whole.
    [2, ['E2 keep', 'x', 'y', 'E4 keep']],
    [3, ['E2 keep', 'x', 'y', 'E4 keep']],
    [4, ['E4 keep']],
    // An event emitted at the end of the input moves no position: it may not be over.
    [5, ['E4 keep']],
  ])('with processors, a run that fails on output line %i resumes at that line exactly', async (failAt, rest) => {
    const { file, state } = await setup(content);
    const got: string[] = [];
    const consume = async () => {
      for await (const line of tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, processors: processors() })) {
        if (got.length === failAt) throw failed;
        got.push(line.text);
      }
    };
    await consume().catch((error: unknown) => {
      if (error !== failed) throw error;
    });
    expect(got).toEqual(all.slice(0, failAt));
    expect(await run(file, { checkpoint: state, processors: processors() })).toEqual(rest);
  });

  it('resumes with the true line numbers after an event that was delivered', async () => {
    const { file, state } = await setup(content);
    const lines = tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, processors: processors() });
    for await (const line of lines) {
      lines.commit(line);
      break;
    }
    const next = [];
    for await (const line of tail(file, { checkpoint: state, follow: false, processors: processors() })) next.push(line.lineNumber);
    expect(next).toEqual([4, 4, 4, 7]);
  });
});

describe('commit(upTo) with batches in flight (autoCommit: false)', () => {
  /** Opens a tail of six lines in three batches of two, without committing anything by itself. */
  async function three(options: TailOptions = {}) {
    const { file, state } = await setup('l1\nl2\nl3\nl4\nl5\nl6\n');
    const open = () => tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, readSize: 6, autoCommit: false, ...options });
    const take = async (stream = open()) => {
      const it = stream.batches();
      const batches: Line[][] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) batches.push(r.value);
      return { stream, batches };
    };
    return { file, state, open, take };
  }

  it('asking for more commits nothing, and neither does the end of the input', async () => {
    const { state, take } = await three();
    const { batches } = await take();
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2]);
    expect(await offsets(state)).toEqual({ 'app.log': 0 });
  });

  it('a later batch acknowledged first waits for the earlier ones, then both apply', async () => {
    const { state, open } = await three();
    const stream = open();
    const it = stream.batches();
    const b1 = (await it.next()).value as Line[];
    const b2 = (await it.next()).value as Line[];
    const b3 = (await it.next()).value as Line[];
    stream.commit(b1);
    stream.commit(b3);
    await stream.close();
    expect(await offsets(state)).toEqual({ 'app.log': 6 });

    const again = open();
    const jt = again.batches();
    const c2 = (await jt.next()).value as Line[];
    const c3 = (await jt.next()).value as Line[];
    expect([c2, c3].map((b) => b.map((l) => l.text))).toEqual([b2, b3].map((b) => b.map((l) => l.text)));
    again.commit(c3);
    again.commit(c2);
    await again.close();
    expect(await offsets(state)).toEqual({ 'app.log': 18 });
  });

  it('lines are acknowledged one by one, or as any array of them; commit() takes everything handed out', async () => {
    const { state, open } = await three();
    const stream = open();
    const it = stream.batches();
    const b1 = (await it.next()).value as Line[];
    const b2 = (await it.next()).value as Line[];
    stream.commit(b2[0]!);
    stream.commit([b1[1]!]);
    stream.commit(b1[0]!);
    await stream.close();
    // l1, l2 and l3 are acknowledged; l4 is not.
    expect(await offsets(state)).toEqual({ 'app.log': 9 });

    const rest = open();
    const jt = rest[Symbol.asyncIterator]();
    expect(((await jt.next()).value as Line).text).toBe('l4');
    rest.commit();
    await rest.close();
    expect(await offsets(state)).toEqual({ 'app.log': 12 });
  });

  it('each file keeps its own order: a file waits only for its own earlier lines', async () => {
    const { dir, file, state } = await setup('a1\na2\n', 'a.log');
    const other = path.join(dir, 'b.log');
    await writeFile(other, 'b1\nb2\n');
    const stream = tail([file, other], { checkpoint: state, follow: false, start: { fromLine: 1 }, autoCommit: false });
    const it = stream.batches();
    const first = (await it.next()).value as Line[];
    const second = (await it.next()).value as Line[];
    expect([first[0]!.source, second[0]!.source]).toEqual([file, other]);
    stream.commit(second);
    await stream.close();
    expect(await offsets(state)).toEqual({ 'a.log': 0, 'b.log': 6 });
  });

  it('commits of lines that are not from this stream are ignored', async () => {
    const { state, open } = await three();
    const stream = open();
    const it = stream.batches();
    await it.next();
    stream.commit({ text: 'l1', source: 'elsewhere', offset: 0, end: 1e9, lineNumber: 1, eol: '\n' });
    stream.commit([]);
    await stream.close();
    expect(await offsets(state)).toEqual({ 'app.log': 0 });
  });
});

describe('what a processor receives cannot change the engine’s record of a line', () => {
  /** Changes every field it can reach, on the context, on the line, and in what it emits. */
  const hostile: Processor = (text, ctx) => {
    const c = ctx as unknown as Record<string, unknown>;
    const line = ctx.line as unknown as Record<string, unknown>;
    for (const key of ['text', 'end', 'offset', 'lineNumber', 'source', 'eol']) line[key] = key === 'end' || key === 'offset' || key === 'lineNumber' ? 1_000_000 : 'x';
    for (const key of ['end', 'offset', 'lineNumber', 'source']) c[key] = key === 'source' ? 'elsewhere' : 1_000_000;
    c.line = { ...ctx.line, end: 2_000_000 };
    return undefined;
  };
  const forger: Processor = (text, ctx) => [{ text: `${text}!`, first: { ...ctx, offset: 0 }, last: { ...ctx, end: 3_000_000 } }];

  it.each([
    ['mutates every field it can reach', [hostile]],
    ['emits events with forged positions', [forger, hostile]],
  ])('a processor that %s moves neither the output positions nor the checkpoint', async (_what, chain) => {
    const body = 'a\nbb\nccc\n'.repeat(20);
    const { file, state } = await setup(body);
    const out: Line[] = [];
    for await (const line of tail(file, { checkpoint: state, follow: false, start: { fromLine: 1 }, processors: chain })) out.push(line);
    expect(out.map((l) => [l.source, l.offset, l.end, l.lineNumber])).toEqual(
      body.split('\n').slice(0, -1).reduce<Array<[string, number, number, number]>>((acc, text, i) => {
        const offset = i === 0 ? 0 : acc[i - 1]![2];
        acc.push([file, offset, offset + text.length + 1, i + 1]);
        return acc;
      }, []),
    );
    expect(out[1]!.text.startsWith('bb')).toBe(true);
    expect(await offsets(state)).toEqual({ 'app.log': body.length });
    expect(await run(file, { checkpoint: state, processors: chain })).toEqual([]);
  });
});
