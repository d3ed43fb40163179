import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tail, type Line } from '../../src/index.js';
import { loadPlugin } from '../../src/plugins/load.js';
import { batchHandlerOf } from '../../src/chain/batch.js';
import { LineCtx } from '../../src/chain/context.js';
import { CUT } from '../../src/chain/output.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

const STACKTRACE = fileURLToPath(new URL('../../examples/plugins/stacktrace.mjs', import.meta.url));

async function lines(file: string, isolation: 'worker' | 'none'): Promise<Array<Omit<Line, 'eol'>>> {
  const plugin = await loadPlugin(STACKTRACE, { isolation });
  const out: Array<Omit<Line, 'eol'>> = [];
  for await (const { text, source, offset, end, lineNumber } of tail(file, { start: { fromLine: 1 }, follow: false, processors: [plugin], readSize: 4096 })) {
    out.push({ text, source, offset, end, lineNumber });
  }
  return out;
}

describe('a plugin in a worker thread', () => {
  it('gives the same lines, texts and positions as in this thread, for a stateful plugin whose events span lines and batches', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    // Read 4 KiB at a time: many batches, and events that span two of them.
    const events = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? [`Error ${i}`, '    at f (a.js:1)', '    at g (b.js:2)'] : [`info ${i}`]));
    await writeFile(file, events.flat().map((l) => l + '\n').join(''));
    const isolated = await lines(file, 'worker');
    expect(isolated).toEqual(await lines(file, 'none'));
    expect(isolated).toHaveLength(600);
    expect(isolated[0]).toMatchObject({ text: 'Error 0\n    at f (a.js:1)\n    at g (b.js:2)', offset: 0, lineNumber: 1, end: 'Error 0\n    at f (a.js:1)\n    at g (b.js:2)\n'.length });
  });

  it('runs the plugin in a worker thread by default, and in the main thread with --plugin-isolation none', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'x\n');
    await writeFile(path.join(dir, 'where.mjs'), "import { isMainThread } from 'node:worker_threads';\nexport default () => (isMainThread ? 'main thread' : 'worker thread');\n");
    const isolated = await runCli(['--no-follow', '--plugin', './where.mjs', file], { cwd: dir });
    const inProcess = await runCli(['--no-follow', '--plugin-isolation', 'none', '--plugin', './where.mjs', file], { cwd: dir });
    expect([isolated.stdout.toString(), inProcess.stdout.toString()]).toEqual(['worker thread\n', 'main thread\n']);
  });

  it('gives a plugin the context of each line: source, line number, offsets, and the line as read before earlier processors changed it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'one\r\ntwo\n');
    await writeFile(path.join(dir, 'ctx.mjs'), 'export default (t, ctx) => JSON.stringify([t, ctx.source, ctx.lineNumber, ctx.offset, ctx.end, ctx.line]);\n');
    const result = await runCli(['--no-follow', '--timestamp', '--plugin', './ctx.mjs', file], { cwd: dir });
    const [first, second] = result.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as unknown[]);
    expect(first).toEqual([expect.stringMatching(/^\d{4}-.*Z one$/), file, 1, 0, 5, { text: 'one', source: file, offset: 0, end: 5, lineNumber: 1, eol: '\r\n' }]);
    expect(second).toEqual([expect.stringMatching(/^\d{4}-.*Z two$/), file, 2, 5, 9, { text: 'two', source: file, offset: 5, end: 9, lineNumber: 2, eol: '\n' }]);
  });
});

describe('a plugin in a worker thread, called directly', () => {
  it('answers process(text, ctx) as the plugin does, a failure as a throw', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'p.mjs');
    await writeFile(file, "export default { name: 'p', process(t, ctx) { if (t === 'bad') throw new Error('no'); return `${t}@${ctx.source}:${ctx.lineNumber}`; } };\n");
    const plugin = await loadPlugin(file);
    const context = { source: 'a.log', lineNumber: 7, offset: 0, end: 2, line: { text: 'x', source: 'a.log', offset: 0, end: 2, lineNumber: 7, eol: '\n' as const } };
    try {
      expect(await plugin.process('x', context)).toBe('x@a.log:7');
      await expect(plugin.process('bad', context)).rejects.toThrow('no');
    } finally {
      await plugin.close?.();
    }
  });
});

describe('a plugin whose thread ends outside any line', () => {
  it('says so when its thread ends while it loads, or crashes between lines (then it is started again for the next line); an anonymous default export is named by its file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'arm\n');
    const crashed = path.join(dir, 'crashed');
    await writeFile(path.join(dir, 'exits.mjs'), 'process.exit(3);\n');
    await writeFile(
      path.join(dir, 'crashes.mjs'),
      `import { writeFileSync } from 'node:fs';\nexport default (t) => {\n  if (t === 'arm') setTimeout(() => { writeFileSync(${JSON.stringify(crashed)}, ''); throw new Error('late boom'); }, 0);\n  return t + '!';\n};\n`,
    );
    const exits = await runCli(['--no-follow', '--plugin', './exits.mjs', file], { cwd: dir });
    expect(exits).toMatchObject({ status: 2, stderr: "tail-async: cannot load plugin './exits.mjs': ended its thread (process.exit(3)) while loading\n" });
    const crashes = await runCli(['-n', '+1', '--plugin', './crashes.mjs', file], {
      cwd: dir,
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text === 'arm!\n' && existsSync(crashed), 'the first line, then the crash');
        await appendFile(file, 'next\n');
        await waitFor(() => stdout.text === 'arm!\nnext!\n', 'the next line, through the thread started again');
        signals.emit('SIGTERM');
      },
    });
    expect(crashes.stderr).toBe("tail-async: processor 'crashes' failed between lines: crashed: late boom; it is started again\n");
  });
});

describe('a plugin in a worker thread, interrupted', () => {
  it('ends the batch in flight at once, also in an endless loop: the lines it had finished keep their outcomes, the others are cut, and so are later batches', async () => {
    const dir = await tempDir();
    const stuck = path.join(dir, 'stuck');
    const file = path.join(dir, 'loops.mjs');
    await writeFile(file, `import { writeFileSync } from 'node:fs';\nexport default (t) => {\n  if (t === 'loop') { writeFileSync(${JSON.stringify(stuck)}, ''); for (;;); }\n  return t === 'drop' ? null : t.toUpperCase();\n};\n`);
    const plugin = await loadPlugin(file);
    const handler = batchHandlerOf(plugin)!;
    const texts = ['a', 'drop', 'loop', 'd'];
    const ctxs = texts.map((text, i) => new LineCtx({ text, source: 'a.log', offset: 2 * i, end: 2 * i + 2, lineNumber: i + 1, eol: '\n' }, undefined));
    const options = { timeoutMs: 60_000, report: () => {}, stopAtFailure: false };
    const pending = handler.run(texts, ctxs, options);
    await waitFor(() => existsSync(stuck), 'the plugin in its loop');
    handler.interrupt();
    expect(await pending).toEqual(['A', null, CUT, CUT]);
    expect(await handler.run(['e'], ctxs.slice(0, 1), options)).toEqual([CUT]);
    await plugin.close?.();
  });
});
