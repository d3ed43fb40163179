// Workload 7 (library): lines/s through tail()'s per-line and batch forms with 0, 1 and 3 synchronous
// processors, and the framing baselines split2 and node:readline over the same file. Each measurement
// runs in a fresh process (bench/children/library.mjs), timing only the iteration.
import { join } from 'node:path';
import { CHILDREN, NODE } from '../lib/common.mjs';
import { start, stop, collect } from '../lib/proc.mjs';
import { interleave } from '../lib/results.mjs';

export async function library({ cfg, lib, results, log, libLabel }) {
  const W = `7 library ${libLabel}`;
  const REF = 'split2 (baseline)';
  const tools = [
    { id: REF, mode: 'split2' },
    { id: 'readline (baseline)', mode: 'readline' },
    { id: 'Framer alone (same chunks as split2)', mode: 'framer' },
    { id: 'tail() per line, 0 proc', mode: 'lines-p0' },
    { id: 'tail().batches(), 0 proc', mode: 'batches-p0' },
    { id: 'tail() per line, 1 proc', mode: 'lines-p1' },
    { id: 'tail().batches(), 1 proc', mode: 'batches-p1' },
    { id: 'tail() per line, 3 proc', mode: 'lines-p3' },
    { id: 'tail().batches(), 3 proc', mode: 'batches-p3' },
  ];
  for (const t of tools) results.row(W, t.id, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: REF });
  const timeoutMs = 60_000 + cfg.libMB * 1000;
  await interleave(
    tools,
    cfg,
    async (tool) => {
      const row = results.get(W, tool.id);
      const child = start(NODE, [join(CHILDREN, 'library.mjs'), tool.mode, lib.path, String(lib.lines)]);
      const out = collect(child.stdout);
      const err = collect(child.stderr);
      const timer = setTimeout(() => stop(child, { signal: 'SIGKILL' }), timeoutMs);
      try {
        const res = await child.done;
        await Promise.all([out.ended(), err.ended()]);
        if (res.code !== 0) throw new Error(`exit ${res.code ?? res.signal}: ${err().trim().slice(0, 300)}`);
        const { lines, ms, maxRssMB } = JSON.parse(out());
        row.values.push(lines / (ms / 1000));
        row.rssMB.push(maxRssMB);
        return ms;
      } catch (error) {
        results.fail(row, error);
      } finally {
        clearTimeout(timer);
        await stop(child, { signal: 'SIGKILL' });
      }
    },
    log,
  );
}
