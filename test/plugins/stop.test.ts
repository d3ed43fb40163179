import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { loadPlugin } from '../../src/plugins/load.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

/** 1 000 lines; a plugin that upper-cases them, and is stuck in a loop on line 500 (it says so with a file). */
async function stuckPlugin(dir: string): Promise<{ file: string; texts: string[]; plugin: string; stuck: string }> {
  const texts = Array.from({ length: 1000 }, (_, i) => (i === 499 ? 'loop here' : `line ${i + 1}`));
  const file = path.join(dir, 'app.log');
  await writeFile(file, texts.map((t) => t + '\n').join(''));
  const stuck = path.join(dir, 'stuck');
  const plugin = path.join(dir, 'stuck.mjs');
  await writeFile(plugin, `import { writeFileSync } from 'node:fs';\nexport default (t) => {\n  if (t === 'loop here') { writeFileSync(${JSON.stringify(stuck)}, ''); for (;;); }\n  return t.toUpperCase();\n};\n`);
  return { file, texts, plugin, stuck };
}

describe('stopping a tail at once', () => {
  it('stop({ now: true }) while a plugin is stuck in a loop hands out the lines it had finished and ends; the checkpoint stays before the line it was on', async () => {
    const dir = await tempDir();
    const { file, texts, plugin, stuck } = await stuckPlugin(dir);
    const checkpoint = path.join(dir, 'tail.state');
    // A processor timeout the test would not outlive: the stop does not wait for it.
    const lines = tail(file, { start: { fromLine: 1 }, checkpoint, processors: [await loadPlugin(plugin)], processorTimeout: 60_000 });
    const out: string[] = [];
    const loop = (async () => {
      for await (const batch of lines.batches()) for (const line of batch) out.push(line.text);
    })();
    await waitFor(() => existsSync(stuck), 'the plugin stuck in its loop');
    lines.stop({ now: true });
    await loop;
    expect(out).toEqual(texts.slice(0, 499).map((t) => t.toUpperCase()));

    const rest: string[] = [];
    for await (const line of tail(file, { checkpoint, follow: false })) rest.push(line.text);
    expect(rest).toEqual(texts.slice(499));
  });

  it('close() ends a pending next() at once while an in-process processor waits on a promise that never settles', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'one\nhang\nthree\n');
    const seen: string[] = [];
    const lines = tail(file, { start: { fromLine: 1 }, processorTimeout: 60_000, processors: [(t) => (seen.push(t), t === 'hang' ? new Promise<string>(() => {}) : Promise.resolve(t))] });
    const first = lines.next();
    await waitFor(() => seen.includes('hang'), 'the processor on the line that hangs');
    await lines.close();
    await expect(first).resolves.toEqual({ value: undefined, done: true });
  });
});
