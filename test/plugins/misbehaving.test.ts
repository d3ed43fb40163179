import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, type ProcessorError } from '../../src/index.js';
import { loadPlugin } from '../../src/plugins/load.js';
import { tempDir } from '../helpers/fs.js';
import { MISBEHAVING, REASONS, thousandLines } from '../helpers/misbehaving.js';

describe('a plugin in a worker thread, misbehaving in every way', () => {
  it('costs exactly the lines it misbehaved on, each reported with its reason; closing errors are reported too', async () => {
    const dir = await tempDir();
    const { file, texts, bad } = await thousandLines(dir);
    const plugin = await loadPlugin(MISBEHAVING);
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

  it('gives no line to the plugin twice when its thread is ended on a line: the lines before it keep what the old thread made of them', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const texts = Array.from({ length: 1000 }, (_, i) => (i === 499 ? 'loop' : `line ${i + 1}`));
    await writeFile(file, texts.map((t) => t + '\n').join(''));
    const seen = path.join(dir, 'seen');
    const plugin = path.join(dir, 'once.mjs');
    await writeFile(plugin, `import { appendFileSync } from 'node:fs';\nexport default (t) => {\n  appendFileSync(${JSON.stringify(seen)}, t + '\\n');\n  if (t === 'loop') for (;;);\n  return t.toUpperCase();\n};\n`);
    const errors: ProcessorError[] = [];
    const out: string[] = [];
    const stream = tail(file, { start: { fromLine: 1 }, follow: false, processors: [await loadPlugin(plugin)], processorTimeout: 200, onProcessorError: (e) => errors.push(e) });
    for await (const batch of stream.batches()) for (const line of batch) out.push(line.text);
    expect(out).toEqual(texts.filter((t) => t !== 'loop').map((t) => t.toUpperCase()));
    expect(errors.map((e) => e.lineNumber)).toEqual([500]);
    expect((await readFile(seen, 'utf8')).split('\n').slice(0, -1)).toEqual(texts);
  });
});
