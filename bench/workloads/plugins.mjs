// Workload 9 (plugins): what isolating a plugin in a worker thread costs. Lines/s through tail().batches()
// with one plugin loaded by loadPlugin(), in this thread (isolation 'none', the reference) and in a worker
// thread ('worker'), for a trivial plugin (keeps every line), one that changes every line, and
// examples/plugins/redact.mjs. Each measurement runs in a fresh process (bench/children/plugins.mjs),
// timing only the iteration. With BENCH_COMPARE, each row also for the other build, in the same rounds.
import { join } from 'node:path';
import { CHILDREN } from '../lib/common.mjs';
import { forBuilds } from '../lib/builds.mjs';
import { childRate } from '../lib/rate.mjs';
import { interleave } from '../lib/results.mjs';

export async function plugins({ cfg, lib, results, log, libLabel, builds }) {
  const W = `9 plugins ${libLabel}`;
  const forms = [
    ['trivial plugin, in-process', 'trivial-none'],
    ['trivial plugin, worker thread', 'trivial-worker'],
    ['upper-case plugin, in-process', 'upper-none'],
    ['upper-case plugin, worker thread', 'upper-worker'],
    ['redact plugin, in-process', 'redact-none'],
    ['redact plugin, worker thread', 'redact-worker'],
  ];
  const tools = forms.flatMap(([id, mode]) => forBuilds(builds, (b) => ({ id: b.name(id), mode, distDir: b.distDir, ref: b.name(id.replace('worker thread', 'in-process')) })));
  for (const t of tools) results.row(W, t.id, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: t.ref, ...t.tags });
  const timeoutMs = 60_000 + cfg.libMB * 2000;
  await interleave(
    tools,
    cfg,
    (tool) => childRate(results, W, tool.id, [join(CHILDREN, 'plugins.mjs'), tool.mode, lib.path, String(lib.lines), tool.distDir], timeoutMs),
    log,
  );
}
