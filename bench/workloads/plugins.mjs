// Workload 9 (plugins): what isolating a plugin in a worker thread costs. Lines/s through tail().batches()
// with one plugin loaded by loadPlugin(), in this thread (isolation 'none', the reference) and in a worker
// thread ('worker'), for a trivial plugin and for examples/plugins/redact.mjs. Each measurement runs in a
// fresh process (bench/children/plugins.mjs), timing only the iteration.
import { join } from 'node:path';
import { CHILDREN } from '../lib/common.mjs';
import { childRate } from '../lib/rate.mjs';
import { interleave } from '../lib/results.mjs';

export async function plugins({ cfg, lib, results, log, libLabel }) {
  const W = `9 plugins ${libLabel}`;
  const tools = [
    { id: 'trivial plugin, in-process', mode: 'trivial-none', ref: 'trivial plugin, in-process' },
    { id: 'trivial plugin, worker thread', mode: 'trivial-worker', ref: 'trivial plugin, in-process' },
    { id: 'redact plugin, in-process', mode: 'redact-none', ref: 'redact plugin, in-process' },
    { id: 'redact plugin, worker thread', mode: 'redact-worker', ref: 'redact plugin, in-process' },
  ];
  for (const t of tools) results.row(W, t.id, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: t.ref });
  const timeoutMs = 60_000 + cfg.libMB * 2000;
  await interleave(
    tools,
    cfg,
    (tool) => childRate(results, W, tool.id, [join(CHILDREN, 'plugins.mjs'), tool.mode, lib.path, String(lib.lines)], timeoutMs),
    log,
  );
}
