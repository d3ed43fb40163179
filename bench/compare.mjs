#!/usr/bin/env node
// Compares benchmark results: node bench/compare.mjs A.json B.json [C.json …]
// One line per row (workload × tool × metric) with each file's median and ratio, and the spread of the
// medians across the files (max/min − 1), which shows run-to-run noise when the files are repeated runs.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
if (files.length < 2) {
  console.error('usage: node bench/compare.mjs A.json B.json [more.json …]');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
const key = (r) => `${r.workload} | ${r.tool} | ${r.metric}`;
const keys = [...new Set(runs.flatMap((run) => run.rows.map(key)))];
const fmt = (x) => (x === undefined || x === null || !Number.isFinite(x) ? '—' : Math.abs(x) >= 1e5 ? `${(x / 1e6).toFixed(2)}M` : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));

console.log(files.map((f, i) => `[${i + 1}] ${f}: ${runs[i].machine.date} load ${runs[i].machine.loadavgStart?.join(' ')}`).join('\n'));
const lines = [['row', ...files.map((_, i) => `median [${i + 1}]`), ...files.map((_, i) => `ratio [${i + 1}]`), 'spread']];
for (const k of keys) {
  const rows = runs.map((run) => run.rows.find((r) => key(r) === k));
  const medians = rows.map((r) => r?.median);
  const finite = medians.filter((m) => Number.isFinite(m) && m > 0);
  const spread = finite.length > 1 ? `${((Math.max(...finite) / Math.min(...finite) - 1) * 100).toFixed(0)} %` : '';
  lines.push([k, ...medians.map(fmt), ...rows.map((r) => (r?.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '')), spread]);
}
const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
for (const l of lines) console.log(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
