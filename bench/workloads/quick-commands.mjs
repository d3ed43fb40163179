// Workload 2: `-n 10 --no-follow` on the big file vs on a 1 MB file (the cost should not depend on the
// size), with GNU tail alongside; the output is compared with GNU's. And start-up: the time of
// `tail-async --no-follow -n 1 small.log` vs a bare `node -e 0`.
import { NODE, shq, now } from '../lib/common.mjs';
import { forBuilds } from '../lib/builds.mjs';
import { runShell, start, stop, collect, timedRun } from '../lib/proc.mjs';
import { join } from 'node:path';
import { interleave } from '../lib/results.mjs';

export async function lastLines({ cfg, big, small, tmp, results, log, sizeLabel, builds }) {
  const statsFile = join(tmp, 'time-stats.txt');
  const W = '2 -n 10 --no-follow';
  // Each build's big-file row is compared with the same build's 1 MB row (the cost should not depend on the size).
  const tools = [
    ...forBuilds(builds, (b) => ({ id: b.name('tail-async (1 MB)'), ref: b.name('tail-async (1 MB)'), cmd: `${shq(NODE)} ${shq(b.bin)} -n 10 --no-follow ${shq(small.path)}`, file: small.path })),
    ...forBuilds(builds, (b) => ({ id: b.name(`tail-async (${sizeLabel})`), ref: b.name('tail-async (1 MB)'), cmd: `${shq(NODE)} ${shq(b.bin)} -n 10 --no-follow ${shq(big.path)}`, file: big.path })),
    { id: 'GNU tail (1 MB)', ref: 'GNU tail (1 MB)', cmd: `tail -n 10 ${shq(small.path)}` },
    { id: `GNU tail (${sizeLabel})`, ref: 'GNU tail (1 MB)', cmd: `tail -n 10 ${shq(big.path)}` },
  ];
  for (const t of tools) results.row(W, t.id, { metric: 'time', unit: 'ms', ref: t.ref, ...t.tags });
  // tail-async's output is compared with GNU tail's on the same file.
  const expected = new Map();
  for (const file of [small.path, big.path]) expected.set(file, (await runShell(`tail -n 10 ${shq(file)}`, { timeoutMs: 30_000 })).stdout);
  await interleave(
    tools,
    { runs: cfg.cheapRuns, cheapRuns: cfg.cheapRuns, cheapMs: Infinity },
    (tool) =>
      timedRun(results, results.get(W, tool.id), tool.cmd, statsFile, (res) => {
        if (tool.file && res.stdout !== expected.get(tool.file)) throw new Error('output differs from GNU tail');
      }),
    log,
  );
}

export async function startup({ cfg, small, results, log, builds }) {
  const W = '7 start-up';
  const tools = [
    { id: 'node -e 0', args: ['-e', '0'] },
    ...forBuilds(builds, (b) => ({ id: b.name('tail-async --no-follow -n 1'), args: [b.bin, '--no-follow', '-n', '1', small.path] })),
  ];
  for (const t of tools) results.row(W, t.id, { metric: 'wall', unit: 'ms', ref: 'node -e 0', ...t.tags });
  await interleave(
    tools,
    { runs: cfg.startupRuns, cheapRuns: cfg.startupRuns, cheapMs: Infinity },
    async (tool) => {
      const row = results.get(W, tool.id);
      const t0 = now();
      const child = start(NODE, tool.args);
      const err = collect(child.stderr);
      child.stdout.resume();
      const timer = setTimeout(() => stop(child, { signal: 'SIGKILL' }), 30_000);
      const res = await child.done;
      clearTimeout(timer);
      await err.ended();
      if (res.code !== 0) {
        results.fail(row, new Error(`exit ${res.code ?? res.signal}: ${err().slice(0, 300)}`));
        return;
      }
      row.values.push(res.at - t0);
      return res.at - t0;
    },
    log,
  );
}
