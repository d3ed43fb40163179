import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/spawn.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';
import { MISBEHAVING, thousandLines } from '../helpers/misbehaving.js';

// The commands of a test run side by side: each is a process of its own, and most of their time is Node's start-up.
describe('the command with a plugin that misbehaves in every way', () => {
  it('prints exactly the other lines of 1 000 and exits 0 (reporting each failure: five in full, then a count, and the failed close), or stops at the first with status 1 under --on-error stop', async () => {
    const dir = await tempDir();
    const { file, texts, bad } = await thousandLines(dir);
    const log = spawnCli(['--no-follow', '-n', '+1', '--processor-timeout', '0.2', '--plugin', MISBEHAVING, file]);
    const stop = spawnCli(['--no-follow', '-n', '+1', '--on-error', 'stop', '--plugin', MISBEHAVING, file]);
    await Promise.all([log.exited, stop.exited]);

    expect(log.out.stdout).toBe(texts.filter((_, i) => !bad.has(i + 1)).map((t) => t.toUpperCase() + '\n').join(''));
    const reports = log.out.stderr.trim().split('\n');
    expect(reports.slice(0, 5).map((r) => /:(\d+): /.exec(r)?.[1])).toEqual([...bad.keys()].slice(0, 5).map(String));
    // The plugin is closed with the tail; the count of the failures not shown comes when the command ends.
    expect(reports[5]).toBe("tail-async: processor 'misbehaving' failed to close: close threw");
    expect(reports[6]).toMatch(/^tail-async: 5 more processor errors \(latest: processor 'misbehaving' failed on .*app\.log:950: ended its thread \(process\.exit\(0\)\); it is started again\)$/);
    expect(reports).toHaveLength(7);
    expect(log.out.status).toBe(0);

    expect(stop.out.stdout).toBe(texts.slice(0, 49).map((t) => t.toUpperCase() + '\n').join(''));
    expect(stop.out.stderr).toBe(`tail-async: processor 'misbehaving' failed to close: close threw\ntail-async: processor 'misbehaving' failed on ${file}:50: thrown\n`);
    expect(stop.out.status).toBe(1);
  });

  it('ends within a second of SIGTERM at any moment: while the plugin loads, is stuck in a loop, waits on a promise that never settles, or while following', async () => {
    const moments = ['loading', 'loop', 'hang', 'quiet'] as const;
    const runs = await Promise.all(
      moments.map(async (moment) => {
        const dir = await tempDir();
        const file = path.join(dir, 'app.log');
        await writeFile(file, `line 1\n${moment === 'loop' || moment === 'hang' ? `${moment} here\n` : ''}`);
        let plugin = MISBEHAVING;
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
        return { moment, ms: Date.now() - signalled, status: run.out.status, signal: run.out.signal };
      }),
    );
    for (const run of runs) expect(run.ms, run.moment).toBeLessThan(1000);
    // Before the command handles signals (while plugins load), SIGTERM ends it as it ends any process: 143 for a shell too.
    expect(runs.map(({ moment, status, signal }) => [moment, status ?? signal])).toEqual([
      ['loading', 'SIGTERM'],
      ['loop', 143],
      ['hang', 143],
      ['quiet', 143],
    ]);
  });

  it('saves the state file on SIGTERM while a plugin is stuck (the next run goes on after the last line printed), and reports a close() stuck in a loop after 0.4 s without changing the status', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const state = path.join(dir, 'tail.state');
    await writeFile(file, 'line 1\nline 2\n');
    const stuck = spawnCli(['-n', '+1', '--state-file', state, '--plugin', MISBEHAVING, file], { env: { MARK_DIR: dir } });
    const closing = path.join(dir, 'stuck-close.mjs');
    await writeFile(closing, 'export default { name: "stuck", process() {}, close() { for (;;); } };\n');
    const other = path.join(dir, 'other.log');
    await writeFile(other, 'line 1\nline 2\n');
    const closed = spawnCli(['--no-follow', '--plugin', closing, other]);

    await waitFor(() => stuck.out.stdout === 'LINE 1\nLINE 2\n', 'the first two lines');
    await writeFile(file, 'line 1\nline 2\nloop here\nline 4\n');
    await waitFor(() => existsSync(path.join(dir, 'loop')), 'the plugin stuck in its loop');
    stuck.child.kill('SIGTERM');
    await Promise.all([stuck.exited, closed.exited]);
    expect(stuck.out.status).toBe(143);
    const next = spawnCli(['--no-follow', '--state-file', state, file]);
    await next.exited;
    expect(next.out).toMatchObject({ stdout: 'loop here\nline 4\n', status: 0 });

    expect(closed.out).toMatchObject({ stdout: 'line 1\nline 2\n', stderr: "tail-async: processor 'stuck' failed to close: did not close within 400 ms\n", status: 0 });
  });
});
