import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, type Processor, type ProcessorError } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { collect } from '../helpers/wait.js';

const booming: Processor = {
  name: 'boomer',
  process: (text) => {
    if (text.includes('BOOM')) throw new Error('boom');
    return text.toUpperCase();
  },
};
const boomingAsync: Processor = {
  name: 'async-boomer',
  process: async (text) => {
    await new Promise((r) => setImmediate(r));
    if (text.includes('BOOM')) throw new Error('async boom');
    return text.toUpperCase();
  },
};

describe.each([
  ['a throwing processor', booming],
  ['a rejecting async processor', boomingAsync],
])('tail() with %s', (_name, processor) => {
  it('yields the 990 good lines of 1000 upper-cased and in order, reports the 10 failures, and keeps following', async () => {
    const file = path.join(await tempDir(), 'app.log');
    const texts = Array.from({ length: 1000 }, (_, i) => (i % 100 === 50 ? `line ${i} BOOM` : `line ${i}`));
    await writeFile(file, texts.join('\n') + '\n');
    const errors: ProcessorError[] = [];
    const stream = tail(file, { start: { fromLine: 1 }, processors: [processor], onProcessorError: (e) => errors.push(e) });
    const out = collect(stream);
    try {
      await out.until(990);
      expect(out.texts()).toEqual(texts.filter((t) => !t.includes('BOOM')).map((t) => t.toUpperCase()));
      expect(errors.map((e) => [e.lineNumber, e.source])).toEqual(Array.from({ length: 10 }, (_, k) => [k * 100 + 51, file]));
      await appendFile(file, 'after the storm\n');
      await out.until(991);
      expect(out.texts().at(-1)).toBe('AFTER THE STORM');
      expect(stream.processorFailures).toEqual({ failed: 10, skipped: 0 });
    } finally {
      await out.stop();
    }
  });
});

describe('tail() with stateful processors', () => {
  it('emits a held multi-line event after the idle time, without waiting for the next event', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const held: string[] = [];
    const joiner: Processor = {
      name: 'joiner',
      idleFlushMs: 50,
      process: (text) => {
        if (!/^\s/.test(text) && held.length > 0) return [held.splice(0, held.length, text).join('\n')];
        held.push(text);
        return null;
      },
      flush: () => (held.length > 0 ? [held.splice(0).join('\n')] : []),
    };
    const stream = tail(file, { processors: [joiner] });
    await stream.open();
    const out = collect(stream);
    try {
      await appendFile(file, 'Error: bad\n    at a()\n    at b()\n');
      await out.until(1, 2_000);
      expect(out.texts()).toEqual(['Error: bad\n    at a()\n    at b()']);
      // A flushed plain string takes the position of the last line the processor was given.
      expect(out.lines[0]).toMatchObject({ offset: 22, end: 33, lineNumber: 3 });
    } finally {
      await out.stop();
    }
  });

  it('flushes held lines at the end of a no-follow read, before reporting an unreadable file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'a\nb\n');
    const held: string[] = [];
    const joiner: Processor = { name: 'all', process: (t) => {
        held.push(t);
        return null;
      }, flush: () => [held.splice(0).join(',')] };
    const seen: string[] = [];
    const error = await (async () => {
      for await (const line of tail([file, path.join(dir, 'missing')], { follow: false, start: { fromLine: 1 }, processors: [joiner] })) seen.push(line.text);
    })().then(() => undefined, (e: unknown) => e);
    expect(seen).toEqual(['a,b']);
    expect(error).toMatchObject({ code: 'ENOENT' });
  });

  it('ends the stream with the error under the stop policy, after the lines before it', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'ok\nBOOM\nnever\n');
    const seen: string[] = [];
    const error = await (async () => {
      for await (const line of tail(file, { follow: false, processors: [booming], onError: 'stop' })) seen.push(line.text);
    })().then(() => undefined, (e: unknown) => e);
    expect(seen).toEqual(['OK']);
    expect(error).toMatchObject({ code: 'ERR_PROCESSOR', processor: 'boomer', lineNumber: 2 });
  });
});
