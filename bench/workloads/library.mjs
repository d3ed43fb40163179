// Workload 7 (library): lines/s through tail()'s per-line and batch forms with 0, 1 and 3 synchronous
// processors, and the framing baselines split2 and node:readline over the same file. Each measurement
// runs in a fresh process (bench/children/library.mjs), timing only the iteration.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHILDREN } from '../lib/common.mjs';
import { forBuilds } from '../lib/builds.mjs';
import { childRate } from '../lib/rate.mjs';
import { interleave } from '../lib/results.mjs';

export async function library({ cfg, lib, results, log, libLabel, builds }) {
  const W = `7 library ${libLabel}`;
  const REF = 'split2 (baseline)';
  // tail-async's forms once per build, from that build's dist/.
  const forms = [
    ['Framer alone (same chunks as split2)', 'framer'],
    ['tail() per line, 0 proc', 'lines-p0'],
    ['tail().batches(), 0 proc', 'batches-p0'],
    ['tail() per line, 1 proc', 'lines-p1'],
    ['tail().batches(), 1 proc', 'batches-p1'],
    ['tail() per line, 3 proc', 'lines-p3'],
    ['tail().batches(), 3 proc', 'batches-p3'],
  ];
  const tools = [
    { id: REF, mode: 'split2' },
    { id: 'readline (baseline)', mode: 'readline' },
    ...forms.flatMap(([id, mode]) =>
      forBuilds(builds, (b) => {
        if (mode === 'framer' && b.key !== 'current' && !existsSync(join(b.distDir, 'lines', 'framer.js'))) {
          log(`  ${b.name(id)}: left out (no dist/lines/framer.js in ${b.root})`);
          return undefined;
        }
        return { id: b.name(id), mode, distDir: b.distDir };
      }),
    ),
  ];
  for (const t of tools) results.row(W, t.id, { metric: 'rate', unit: 'lines/s', better: 'higher', ref: REF, ...t.tags });
  const timeoutMs = 60_000 + cfg.libMB * 1000;
  await interleave(
    tools,
    cfg,
    (tool) => childRate(results, W, tool.id, [join(CHILDREN, 'library.mjs'), tool.mode, lib.path, String(lib.lines), ...(tool.distDir ? [tool.distDir] : [])], timeoutMs),
    log,
  );
}
