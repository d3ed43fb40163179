// Rows of results (one per workload × tool × metric), interleaved rounds, the table and the JSON.
import { median, min, max, now } from './common.mjs';

export class Results {
  constructor() {
    this.rows = [];
    this.failures = [];
  }

  /**
   * The row for `workload` × `tool` × `metric`, created on first use. `unit` is printed after the values;
   * `better` says which direction is good ('lower' for times, 'higher' for rates); `ref` names the tool
   * of the same workload and metric whose median the ratio is taken against.
   */
  row(workload, tool, { metric = 'time', unit = 's', better = 'lower', ref, digits, note, build, compareOf } = {}) {
    let row = this.rows.find((r) => r.workload === workload && r.tool === tool && r.metric === metric);
    if (!row) {
      row = { workload, tool, metric, unit, better, ref, digits, note, values: [], rssMB: [], cpuS: [], errors: [] };
      // A row of the BENCH_COMPARE build: `compareOf` names this checkout's row it stands next to.
      if (build) Object.assign(row, { build, compareOf });
      this.rows.push(row);
    }
    return row;
  }

  /** The row of `workload` × `tool` (its first metric, unless `metric` is given). */
  get(workload, tool, metric) {
    return this.rows.find((r) => r.workload === workload && r.tool === tool && (metric === undefined || r.metric === metric));
  }

  fail(row, error) {
    const message = error instanceof Error ? error.message : String(error);
    row.errors.push(message);
    this.failures.push(`${row.workload} / ${row.tool}: ${message}`);
  }

  /** The rows of this checkout's build (without the BENCH_COMPARE rows). */
  current() {
    return this.rows.filter((r) => r.build === undefined);
  }

  /** Each BENCH_COMPARE row with this checkout's row of the same workload and metric (after finish()). */
  pairs() {
    return this.rows
      .filter((r) => r.build !== undefined)
      .map((compare) => ({ compare, current: this.get(compare.workload, compare.compareOf, compare.metric) }))
      .filter((p) => p.current);
  }

  /** Medians, spreads and ratios, computed once all runs are in. */
  finish() {
    for (const row of this.rows) {
      row.median = median(row.values);
      row.min = min(row.values);
      row.max = max(row.values);
      row.rssPeakMB = row.rssMB.length ? max(row.rssMB) : undefined;
      row.cpuMedianS = row.cpuS.length ? median(row.cpuS) : undefined;
      if (row.inputMB && row.median > 0) {
        row.mbPerS = row.inputMB / row.median;
        row.note = [`${row.mbPerS.toFixed(0)} MB/s`, row.note].filter(Boolean).join(', ');
      }
    }
    for (const row of this.rows) {
      if (!row.ref || row.ref === row.tool) continue;
      const ref = this.get(row.workload, row.ref, row.metric);
      if (ref && Number.isFinite(ref.median) && ref.median > 0 && Number.isFinite(row.median)) row.ratio = row.median / ref.median;
    }
    return this;
  }
}

/**
 * Runs `fn(item, round)` for every item, interleaved: A B C, A B C, … for `runs` rounds, then more
 * rounds (up to `cheapRuns`) for the items whose median so far is below `cheapMs` (cheap to repeat).
 * `fn` returns the wall time of the run in ms (for that choice) or undefined.
 */
export async function interleave(items, { runs, cheapRuns, cheapMs }, fn, log) {
  const times = new Map(items.map((i) => [i, []]));
  const isCheap = (i) => times.get(i).length > 0 && median(times.get(i)) < cheapMs;
  // Items with the same `pair` (a tail-async row and its BENCH_COMPARE row) are cheap together.
  const pairOf = (i) => i.pair ?? i;
  let cheap = items;
  for (let round = 0; round < cheapRuns; round++) {
    // After the first `runs` rounds, the cheap items are chosen once, so they all get the same count.
    if (round === runs) {
      const cheapPairs = new Set(items.filter(isCheap).map(pairOf));
      cheap = items.filter((i) => cheapPairs.has(pairOf(i)));
    }
    const todo = round < runs ? items : cheap;
    if (todo.length === 0) break;
    for (const item of todo) {
      const t0 = now();
      let ms;
      try {
        ms = await fn(item, round);
      } catch (error) {
        log?.(`  ${item.id ?? item}: run ${round + 1} failed: ${error instanceof Error ? error.message : error}`);
      }
      const took = ms ?? now() - t0;
      times.get(item).push(took);
      // Long runs (large BENCH_SIZE_MB) show progress; short ones would only flood stderr.
      if (now() - t0 > 3000) log?.(`  ${item.id ?? item} #${round + 1}: ${(took / 1000).toFixed(2)} s`);
    }
  }
}

function fmtNumber(x, digits) {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  if (a >= 1e5) return `${(x / 1e6).toFixed(a >= 1e7 ? 1 : a >= 1e6 ? 2 : 3)}M`;
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return '0';
  return x.toFixed(3);
}

/** Plain-text table (also valid Markdown). */
export function formatTable(results) {
  const header = ['Workload', 'Tool', 'Metric', 'Median', 'Min–max', 'Ratio', 'Peak RSS', 'n', 'Note'];
  const lines = [header];
  for (const r of results.rows) {
    const unit = r.unit ? ` ${r.unit}` : '';
    let ratio = '';
    if (r.ratio !== undefined) ratio = `${r.ratio.toFixed(2)}×`;
    else if (r.ref === r.tool || r.isRef) ratio = 'ref';
    const notes = [r.note, r.errors.length ? `FAILED ${r.errors.length}: ${r.errors[0].slice(0, 120)}` : undefined].filter(Boolean);
    lines.push([
      r.workload,
      r.tool,
      r.metric,
      r.values.length ? `${fmtNumber(r.median, r.digits)}${unit}` : '—',
      r.values.length > 1 ? `${fmtNumber(r.min, r.digits)}–${fmtNumber(r.max, r.digits)}` : '',
      ratio,
      r.rssPeakMB !== undefined ? `${r.rssPeakMB.toFixed(0)} MB` : '',
      String(r.values.length),
      notes.join('; '),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const fmt = (l) => `| ${l.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  const out = [fmt(lines[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const l of lines.slice(1)) out.push(fmt(l));
  return out.join('\n');
}

/** This checkout's rows against their BENCH_COMPARE rows (from Results.pairs()): medians and their ratio. */
export function formatPairs(pairs) {
  const header = ['Workload', 'Tool', 'Metric', 'This checkout', 'Compare', 'This ÷ compare', 'Better', 'n'];
  const lines = [header];
  for (const { current: r, compare: c } of pairs) {
    const unit = r.unit ? ` ${r.unit}` : '';
    const value = (x) => (x.values.length ? `${fmtNumber(x.median, x.digits)}${unit}` : '—');
    const ratio = Number.isFinite(r.median) && Number.isFinite(c.median) && c.median > 0 ? `${(r.median / c.median).toFixed(2)}×` : '';
    lines.push([r.workload, r.tool, r.metric, value(r), value(c), ratio, r.better, `${r.values.length}/${c.values.length}`]);
  }
  const widths = header.map((_, col) => Math.max(...lines.map((l) => l[col].length)));
  const fmt = (l) => `| ${l.map((cell, col) => cell.padEnd(widths[col])).join(' | ')} |`;
  return [fmt(lines[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.slice(1).map(fmt)].join('\n');
}

export function formatTargets(targets) {
  const out = [];
  for (const t of targets) {
    const mark = t.met === true ? 'MET   ' : t.met === false ? 'MISSED' : 'n/a   ';
    out.push(`  ${mark} ${t.target}: ${t.value}`);
  }
  return out.join('\n');
}
