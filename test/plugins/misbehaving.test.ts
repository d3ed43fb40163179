import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tail, type ProcessorError } from '../../src/index.js';
import { loadPlugin } from '../../src/plugins/load.js';
import { tempDir } from '../helpers/fs.js';

const PLUGIN = fileURLToPath(new URL('../fixtures/plugins/misbehaving.mjs', import.meta.url));

/** What each misbehaviour is reported as. */
export const REASONS: Record<string, RegExp> = {
  throw: /^thrown$/,
  reject: /^rejected$/,
  hang: /^did not settle within 200 ms$/,
  loop: /^did not finish within 200 ms \(stuck in synchronous code\?\); its thread was ended and is started again$/,
  'null-array': /^returned an array holding null at index 0; /,
  'number-array': /^returned an array holding the number 42 at index 0; /,
  'no-text': /^returned an array holding an object whose text is not a string at index 0; /,
  'empty-object': /^returned an array holding an object without text at index 0; /,
  'bad-then': /^then threw$/,
  exit: /^ended its thread \(process\.exit\(0\)\); it is started again$/,
};

/** 1 000 lines, every 100th (from line 50 on) one of the misbehaviours; the others plain. */
export async function thousandLines(dir: string): Promise<{ file: string; texts: string[]; bad: Map<number, string> }> {
  const words = Object.keys(REASONS);
  const bad = new Map<number, string>();
  const texts = Array.from({ length: 1000 }, (_, i) => {
    const word = i % 100 === 49 ? words[(i - 49) / 100] : undefined;
    if (word) bad.set(i + 1, word);
    return word ? `${word} line ${i + 1}` : `line ${i + 1}`;
  });
  const file = path.join(dir, 'app.log');
  await writeFile(file, texts.map((t) => t + '\n').join(''));
  return { file, texts, bad };
}

describe('a plugin in a worker thread, misbehaving in every way', () => {
  it('costs exactly the lines it misbehaved on, each reported with its reason; closing errors are reported too', async () => {
    const dir = await tempDir();
    const { file, texts, bad } = await thousandLines(dir);
    const plugin = await loadPlugin(PLUGIN);
    const errors: ProcessorError[] = [];
    const out: string[] = [];
    const stream = tail(file, { start: { fromLine: 1 }, follow: false, processors: [plugin], processorTimeout: 200, onProcessorError: (e) => errors.push(e) });
    for await (const batch of stream.batches()) for (const line of batch) out.push(`${line.lineNumber} ${line.text}`);
    expect(out).toEqual(texts.flatMap((t, i) => (bad.has(i + 1) ? [] : [`${i + 1} ${t.toUpperCase()}`])));
    const lineErrors = errors.filter((e) => e.phase === 'line');
    expect(lineErrors.map((e) => e.lineNumber)).toEqual([...bad.keys()]);
    for (const error of lineErrors) {
      expect(error.processor).toBe('misbehaving');
      expect((error.cause as Error).message).toMatch(REASONS[bad.get(error.lineNumber)!]!);
    }
    expect(errors.filter((e) => e.phase !== 'line').map((e) => e.message)).toEqual(["processor 'misbehaving' failed to close: close threw"]);
  });

  it('under --on-error pass, lets each line it misbehaved on through unchanged', async () => {
    const dir = await tempDir();
    const { file, texts, bad } = await thousandLines(dir);
    const plugin = await loadPlugin(PLUGIN);
    const out: string[] = [];
    const stream = tail(file, { start: { fromLine: 1 }, follow: false, processors: [plugin], processorTimeout: 200, onError: 'pass', onProcessorError: () => {} });
    for await (const line of stream) out.push(line.text);
    expect(out).toEqual(texts.map((t, i) => (bad.has(i + 1) ? t : t.toUpperCase())));
  });
});
