import type { Processor } from '../chain/types.js';

/** The flag behind each processor that drops lines on purpose. */
const FLAG_OF: Readonly<Record<string, string>> = { 'rate-limit': '--rate-limit', sample: '--sample' };

/**
 * The exit summary's lines about lines dropped on purpose: `120 lines dropped by --rate-limit`,
 * `9 lines dropped by --sample` (none for a processor that dropped nothing).
 * @internal
 */
export function droppedSummary(processors: readonly Processor[]): string[] {
  const out: string[] = [];
  for (const p of processors) {
    if (typeof p === 'function') continue;
    const flag = FLAG_OF[p.name];
    const dropped = (p as { dropped?: unknown }).dropped;
    if (flag === undefined || typeof dropped !== 'number' || dropped === 0) continue;
    out.push(`${dropped} line${dropped === 1 ? '' : 's'} dropped by ${flag}`);
  }
  return out;
}
