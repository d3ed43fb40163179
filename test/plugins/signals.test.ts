import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
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

  it('ends on SIGTERM at any moment, long before any timeout, printing exactly the lines the plugin had finished: while it loads, is stuck in a loop, waits on a promise that never settles (in its thread or in-process), closes, or while following', async () => {
    // Timeouts far longer than the bound below: a run that waited for one of them would fail. (That the
    // exit comes within a second, also under load, is measured by bench/signals.mjs.)
    const timeouts = ['--processor-timeout', '60'];
    const moments = ['loading', 'loop', 'hang', 'hang in-process', 'closing', 'quiet'] as const;
    const runs = await Promise.all(
      moments.map(async (moment) => {
        const dir = await tempDir();
        const { file, texts } = await stuckAt(dir, 500, moment === 'loop' ? 'loop' : moment.startsWith('hang') ? 'hang' : undefined);
        let plugin = MISBEHAVING;
        let args = ['-n', '+1', ...timeouts];
        if (moment === 'loading') {
          plugin = path.join(dir, 'slow-load.mjs');
          await writeFile(plugin, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(path.join(dir, 'loading'))}, '');\nfor (;;);\n`);
        } else if (moment === 'closing') {
          // The end of a run without follow: its plugin's close() is stuck in a loop.
          plugin = path.join(dir, 'stuck-close.mjs');
          await writeFile(plugin, `import { writeFileSync } from 'node:fs';\nexport default { name: 'stuck', process(t) { return t.toUpperCase(); }, close() { writeFileSync(${JSON.stringify(path.join(dir, 'closing'))}, ''); for (;;); } };\n`);
          args = ['--no-follow', ...args];
        } else if (moment === 'hang in-process') args = ['--plugin-isolation', 'none', ...args];
        const run = spawnCli([...args, '--plugin', plugin, file], { env: { MARK_DIR: dir } });
        if (moment === 'quiet') await waitFor(() => run.out.stdout.length === upper(texts).length, 'the 1 000 lines');
        else await waitFor(() => existsSync(path.join(dir, moment.split(' ')[0]!)), `the plugin at '${moment}'`);
        const signalled = Date.now();
        run.child.kill('SIGTERM');
        await run.exited;
        // On a machine too busy to close in time, the watchdog says that it ends the process anyway: allowed.
        const stderr = run.out.stderr.replace(/^tail-async: still closing 900 ms after SIGTERM: exiting now\n/m, '');
        return { moment, ms: Date.now() - signalled, texts, ...run.out, stderr };
      }),
    );
    for (const run of runs) expect(run.ms, run.moment).toBeLessThan(5000);
    const byMoment = Object.fromEntries(runs.map((run) => [run.moment, run]));
    // Before the command handles signals (while plugins load), SIGTERM ends it as it ends any process: 143 for a shell too.
    expect(byMoment.loading).toMatchObject({ stdout: '', signal: 'SIGTERM' });
    // The line the plugin is on is neither printed nor a failure: the lines before it are printed, nothing after it.
    for (const moment of ['loop', 'hang'] as const) {
      expect(byMoment[moment], moment).toMatchObject({ stdout: upper(byMoment[moment]!.texts.slice(0, 499)), stderr: '', status: 143 });
    }
    // In-process, the plugin's close() is called as usual (it throws).
    expect(byMoment['hang in-process']).toMatchObject({ stdout: upper(byMoment['hang in-process']!.texts.slice(0, 499)), stderr: CLOSE_THREW, status: 143 });
    expect(byMoment.closing).toMatchObject({ stdout: upper(byMoment.closing!.texts), status: 143 });
    expect(byMoment.closing!.stderr).toMatch(/^tail-async: processor 'stuck' failed to close: did not close within (400 ms|250 ms of the interruption)\n$/);
    expect(byMoment.quiet).toMatchObject({ stdout: upper(byMoment.quiet!.texts), stderr: CLOSE_THREW, status: 143 });
  });

  it('saves the state file on SIGTERM while a plugin is stuck, after the lines it finished: the next run starts at the line it was on; and reports a close() stuck in a loop after 0.4 s without changing the status', async () => {
    const runs = await Promise.all(
      (['loop', 'hang'] as const).map(async (word) => {
        const dir = await tempDir();
        const file = path.join(dir, 'app.log');
        const state = path.join(dir, 'tail.state');
        await writeFile(file, 'line 1\nline 2\n');
        const stuck = spawnCli(['-n', '+1', '--processor-timeout', '60', '--state-file', state, '--plugin', MISBEHAVING, file], { env: { MARK_DIR: dir } });
        await waitFor(() => stuck.out.stdout === 'LINE 1\nLINE 2\n', 'the first two lines');
        // Read at once: one batch, which the plugin is stuck in the middle of.
        await appendFile(file, `line 3\n${word} here\nline 5\n`);
        await waitFor(() => existsSync(path.join(dir, word)), `the plugin stuck at '${word}'`);
        stuck.child.kill('SIGTERM');
        await stuck.exited;
        const next = spawnCli(['--no-follow', '--state-file', state, file]);
        await next.exited;
        return { word, stuck: stuck.out, next: next.out };
      }),
    );
    for (const { word, stuck, next } of runs) {
      expect(stuck, word).toMatchObject({ stdout: 'LINE 1\nLINE 2\nLINE 3\n', stderr: '', status: 143 });
      expect(next, word).toMatchObject({ stdout: `${word} here\nline 5\n`, status: 0 });
    }

    const dir = await tempDir();
    const closing = path.join(dir, 'stuck-close.mjs');
    await writeFile(closing, 'export default { name: "stuck", process() {}, close() { for (;;); } };\n');
    const other = path.join(dir, 'other.log');
    await writeFile(other, 'line 1\nline 2\n');
    const closed = spawnCli(['--no-follow', '--plugin', closing, other]);
    await closed.exited;
    expect(closed.out).toMatchObject({ stdout: 'line 1\nline 2\n', stderr: "tail-async: processor 'stuck' failed to close: did not close within 400 ms\n", status: 0 });
  });
});

const CLOSE_THREW = "tail-async: processor 'misbehaving' failed to close: close threw\n";

/** The lines as the misbehaving plugin prints them. */
function upper(texts: readonly string[]): string {
  return texts.map((t) => t.toUpperCase() + '\n').join('');
}

/** 1 000 plain lines, line `at` starting with `word` (what the misbehaving plugin does on it) if given. */
async function stuckAt(dir: string, at: number, word: string | undefined): Promise<{ file: string; texts: string[] }> {
  const texts = Array.from({ length: 1000 }, (_, i) => (i + 1 === at && word ? `${word} line ${i + 1}` : `line ${i + 1}`));
  const file = path.join(dir, 'app.log');
  await writeFile(file, texts.map((t) => t + '\n').join(''));
  return { file, texts };
}
