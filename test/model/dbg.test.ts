import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { runCase, libraryFollower } from './churn/harness.js';
it('dbg', async () => {
  const seeds = (process.env.SEEDS ?? '8,9').split(',').map(Number);
  const steps = Number(process.env.STEPS ?? 120);
  await Promise.all(seeds.map(async (seed) => {
    const r = await runCase(libraryFollower(), { seed, steps });
    const v = r.verdict;
    console.log(`seed ${seed} ok=${v.ok} lost=${v.lost.length} dup=${v.duplicated.length} unknown=${v.unknown.length} order=${v.outOfOrder.length}`);
    if (v.ok) return;
    const lines: string[] = [...r.manifest.trace, ...r.manifest.gens.map((g) => JSON.stringify(g)), 'LOST', ...v.lost, 'DUP', ...v.duplicated, 'UNKNOWN', ...v.unknown, 'ORDER', ...v.outOfOrder, 'NOTICES', ...r.notices];
    writeFileSync(`/tmp/trace-${seed}.txt`, lines.join('\n'));
  }));
}, 300000);
