#!/usr/bin/env node
// Profiles one tail-async command with `node --cpu-prof` and summarises where the time went: self time
// by file and by function (top N). Usage:
//   node bench/profile.mjs [--top 25] [--out DIR] -- <tail-async arguments>     (stdout goes to /dev/null)
//   node bench/profile.mjs --summarize FILE.cpuprofile [--top 25]
// Example: node bench/profile.mjs -- -n +1 --no-follow /tmp/big.log
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, openSync, closeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, NODE, ROOT } from './lib/common.mjs';

function summarize(file, top) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // Sample counts × the interval between samples gives each node's self time.
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byFile = new Map();
  for (const [id, ms] of self) {
    const { callFrame: f } = nodes.get(id);
    let url = f.url || '';
    if (url.startsWith('file://')) url = relative(ROOT, new URL(url).pathname);
    const fileKey = url || `(${f.functionName || 'native'})`;
    const fnKey = `${f.functionName || '(anonymous)'}  ${url ? `${url}:${f.lineNumber + 1}` : ''}`;
    byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + ms);
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + ms);
  }
  const show = (title, map) => {
    console.log(`\n${title}`);
    for (const [k, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`);
    }
  };
  console.log(`${file}: ${total.toFixed(0)} ms sampled`);
  show('Self time by file', byFile);
  show('Self time by function', byFunction);
}

const argv = process.argv.slice(2);
let top = 25;
let outDir;
let summarizeFile;
const sep = argv.indexOf('--');
const own = sep === -1 ? argv : argv.slice(0, sep);
for (let i = 0; i < own.length; i++) {
  if (own[i] === '--top') top = Number(own[++i]);
  else if (own[i] === '--out') outDir = own[++i];
  else if (own[i] === '--summarize') summarizeFile = own[++i];
}
if (summarizeFile) {
  summarize(summarizeFile, top);
} else {
  if (sep === -1) {
    console.error('usage: node bench/profile.mjs [--top N] [--out DIR] -- <tail-async arguments>');
    process.exit(2);
  }
  outDir ??= mkdtempSync(join(tmpdir(), 'tail-async-prof-'));
  const devNull = openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const res = spawnSync(NODE, ['--cpu-prof', '--cpu-prof-dir', outDir, BIN, ...argv.slice(sep + 1)], { stdio: ['ignore', devNull, 'inherit'] });
  closeSync(devNull);
  console.log(`exit ${res.status ?? res.signal} after ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms; profile in ${outDir}`);
  for (const f of readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile'))) summarize(join(outDir, f), top);
}
