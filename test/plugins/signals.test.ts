import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';
import { thousandLines } from './misbehaving.test.js';

const PLUGIN = fileURLToPath(new URL('../fixtures/plugins/misbehaving.mjs', import.meta.url));

describe('the command with a plugin that misbehaves in every way', () => {
  it('prints exactly the other lines of 1 000, reports each failure (five in full, then a count) and the failed close, and exits 0', async () => {
    const dir = await tempDir();
    const { file, texts, bad } = await thousandLines(dir);
    const run = spawnCli(['--no-follow', '-n', '+1', '--processor-timeout', '0.2', '--plugin', PLUGIN, file]);
    await run.exited;
    expect(run.out.stdout).toBe(texts.filter((_, i) => !bad.has(i + 1)).map((t) => t.toUpperCase() + '\n').join(''));
    const reports = run.out.stderr.trim().split('\n');
    expect(reports.slice(0, 5).map((r) => /:(\d+): /.exec(r)?.[1])).toEqual([...bad.keys()].slice(0, 5).map(String));
    // The plugin is closed with the tail; the count of the failures not shown comes when the command ends.
    expect(reports[5]).toBe("tail-async: processor 'misbehaving' failed to close: close threw");
    expect(reports[6]).toMatch(/^tail-async: 5 more processor errors \(latest: processor 'misbehaving' failed on .*app\.log:950: ended its thread \(process\.exit\(0\)\); it is started again\)$/);
    expect(reports).toHaveLength(7);
    expect(run.out.status).toBe(0);
  });

  it('stops at the first failure under --on-error stop, with the lines before it printed and status 1', async () => {
    const dir = await tempDir();
    const { file, texts } = await thousandLines(dir);
    const run = spawnCli(['--no-follow', '-n', '+1', '--on-error', 'stop', '--plugin', PLUGIN, file]);
    await run.exited;
    expect(run.out.stdout).toBe(texts.slice(0, 49).map((t) => t.toUpperCase() + '\n').join(''));
    expect(run.out.stderr).toBe(`tail-async: processor 'misbehaving' failed to close: close threw\ntail-async: processor 'misbehaving' failed on ${file}:50: thrown\n`);
    expect(run.out.status).toBe(1);
  });

  it.each([
    ['while the plugin loads (an endless loop at its top level)', 'loading', ['line 1']],
    ['while it is stuck in a synchronous endless loop', 'loop', ['line 1', 'loop here']],
    ['while it waits on a promise that never settles', 'hang', ['line 1', 'hang here']],
    ['while it ends its thread again and again', 'exit', ['line 1', ...Array.from({ length: 200 }, () => 'exit here')]],
    ['while following a quiet file', 'quiet', ['line 1']],
  ])('ends within a second of SIGTERM %s, with status 143', async (_when, moment, lines) => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, lines.map((l) => l + '\n').join(''));
    let plugin = PLUGIN;
    if (moment === 'loading') {
      plugin = path.join(dir, 'slow-load.mjs');
      await writeFile(plugin, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(path.join(dir, 'loading'))}, '');\nfor (;;);\n`);
    }
    const run = spawnCli(['-n', '+1', '--plugin', plugin, file], { env: { MARK_DIR: dir } });
    if (moment === 'quiet') await waitFor(() => run.out.stdout === 'LINE 1\n', 'the first line');
    else await waitFor(() => existsSync(path.join(dir, moment)), `the plugin at '${moment}'`);
    const signalled = Date.now();
    run.child.kill('SIGTERM');
    await run.exited;
    expect(Date.now() - signalled).toBeLessThan(1000);
    // Before the command handles signals (loading plugins), SIGTERM ends it as it ends any process: the shell's 143 too.
    if (moment === 'loading') expect(run.out.signal).toBe('SIGTERM');
    else expect(run.out.status).toBe(143);
  });

  it('reports a close() stuck in an endless loop after 0.4 s, and still exits with the run’s status', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'a\n');
    const plugin = path.join(dir, 'stuck-close.mjs');
    await writeFile(plugin, 'export default { name: "stuck", process() {}, close() { for (;;); } };\n');
    const started = Date.now();
    const run = spawnCli(['--no-follow', '--plugin', plugin, file]);
    await run.exited;
    expect(run.out).toMatchObject({ stdout: 'a\n', stderr: "tail-async: processor 'stuck' failed to close: did not close within 400 ms\n", status: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
