#!/usr/bin/env node
// `npm run bench`: tail-async against GNU tail, cat and the Node tailers, measured side by side in one
// run (interleaved rounds, medians). Prints a table and the issue's targets, and writes
// bench/results/latest.json. Configuration by environment (see bench/README.md):
//   BENCH_SIZE_MB=100  BENCH_QUICK=1  BENCH_ONLY=catchup,follow  BENCH_RUNS=3 …
//   BENCH_COMPARE=/path/to/other/checkout: that build's tail-async measured next to this one's
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, cpus, totalmem, release, loadavg, hostname } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { ROOT, DIST, NODE, MB, loadConfig, now, median } from './lib/common.mjs';
import { killAll, liveCount, TIME_BIN } from './lib/proc.mjs';
import { Results, formatTable, formatTargets, formatPairs } from './lib/results.mjs';
import { loadBuilds } from './lib/builds.mjs';
import { writeLog } from './lib/gen.mjs';
import { catchup } from './workloads/catchup.mjs';
import { lastLines, startup } from './workloads/quick-commands.mjs';
import { library } from './workloads/library.mjs';
import { followThroughput, latency, slowConsumer, idle } from './workloads/follow.mjs';
import { sink } from './workloads/sink.mjs';
import { plugins } from './workloads/plugins.mjs';
import { since, parse, recordTargets } from './workloads/records.mjs';

const WORKLOADS = [
  ['catchup', catchup],
  ['lastlines', lastLines],
  ['startup', startup],
  ['library', library],
  ['follow', followThroughput],
  ['latency', latency],
  ['slow', slowConsumer],
  ['idle', idle],
  ['ship', sink],
  ['plugins', plugins],
  ['since', since],
  ['parse', parse],
];

const started = now();
const log = (message) => process.stderr.write(`[${((now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);

let tmp;
function cleanup() {
  killAll();
  if (tmp) {
    rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  }
}
process.on('exit', cleanup);
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    log(`${signal}: stopping, removing temporary files`);
    cleanup();
    process.exit(status);
  });
}

function tryExec(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function machine() {
  const c = cpus();
  return {
    date: new Date().toISOString(),
    host: hostname(),
    cpu: `${c.length} × ${c[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    gnuTail: tryExec('tail', ['--version'])?.split('\n')[0],
    commit: tryExec('git', ['rev-parse', '--short', 'HEAD']),
    dirty: (tryExec('git', ['status', '--porcelain', '--', 'src', 'bin']) ?? '') !== '',
    loadavgStart: loadavg().map((x) => +x.toFixed(2)),
  };
}

/** The issue's targets, judged from this checkout's rows (not the BENCH_COMPARE build's). */
function judge(results, cfg) {
  const targets = [];
  const rows = results.current();
  const row = (pred) => rows.find(pred);
  const byTool = (wPrefix, tool, metric) => row((r) => r.workload.startsWith(wPrefix) && r.tool === tool && (!metric || r.metric === metric));
  const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  const add = (target, met, value) => targets.push({ target, met: Number.isFinite(met) || typeof met === 'boolean' ? met : null, value });

  const ta = byTool('1 catch-up', 'tail-async');
  const gnu = byTool('1 catch-up', 'GNU tail -n +1');
  if (ta && gnu && Number.isFinite(ta.median) && Number.isFinite(gnu.median)) {
    const r = ta.median / gnu.median;
    add('catch-up within 1.2× of GNU tail -n +1', r <= 1.2, `${fmt(ta.median)} s vs ${fmt(gnu.median)} s = ${fmt(r)}×`);
  }
  const npm = byTool('1 catch-up', 'tail (npm)');
  if (ta && npm && Number.isFinite(npm.median) && Number.isFinite(ta.median)) {
    const r = npm.median / ta.median;
    add('catch-up ≥ 2× faster than tail (npm)', r >= 2, `tail (npm) ${fmt(npm.median)} s / tail-async ${fmt(ta.median)} s = ${fmt(r)}× faster`);
  }
  for (const peer of ['@logdna/tail-file+split2', '@logdna/tail-file+readline']) {
    const p = byTool('1 catch-up', peer);
    if (ta && p && Number.isFinite(p.median) && Number.isFinite(ta.median)) {
      const r = p.median / ta.median;
      add(`catch-up ≥ 5× faster than ${peer}`, r >= 5, `${fmt(p.median)} s / ${fmt(ta.median)} s = ${fmt(r)}× faster`);
    }
  }
  const tg = byTool('1 catch-up', 'tail-async --grep');
  const gg = byTool('1 catch-up', 'GNU tail -n +1 | grep');
  if (tg && gg && Number.isFinite(tg.median) && Number.isFinite(gg.median)) {
    const r = tg.median / gg.median;
    add('catch-up --grep within 2× of tail -n +1 | grep', r <= 2, `${fmt(tg.median)} s vs ${fmt(gg.median)} s = ${fmt(r)}×`);
  }
  for (const form of ['Framer alone (same chunks as split2)', 'tail() per line, 0 proc', 'tail().batches(), 0 proc']) {
    const f = byTool('7 library', form);
    for (const base of ['split2 (baseline)', 'readline (baseline)']) {
      const b = byTool('7 library', base);
      if (f && b && Number.isFinite(f.median) && Number.isFinite(b.median)) {
        const r = f.median / b.median;
        add(`framer ≥ 2× ${base.split(' ')[0]}: ${form}`, r >= 2, `${(f.median / 1e6).toFixed(2)}M vs ${(b.median / 1e6).toFixed(2)}M lines/s = ${fmt(r)}×`);
      }
    }
  }
  const small = byTool('2 -n 10', 'tail-async (1 MB)');
  const bigRow = row((r) => r.workload.startsWith('2 -n 10') && r.tool.startsWith('tail-async (') && r.tool !== 'tail-async (1 MB)');
  if (small && bigRow && Number.isFinite(small.median) && Number.isFinite(bigRow.median)) {
    const r = bigRow.median / small.median;
    add(`-n 10 on ${cfg.sizeMB} MB within 1.2× of 1 MB`, r <= 1.2, `${fmt(bigRow.median, 0)} ms vs ${fmt(small.median, 0)} ms = ${fmt(r)}×`);
  }
  const node0 = byTool('7 start-up', 'node -e 0');
  const st = byTool('7 start-up', 'tail-async --no-follow -n 1');
  for (const { compare, current } of results.pairs()) {
    if (current === st && node0 && Number.isFinite(node0.median) && Number.isFinite(compare.median)) compare.note = `+${(compare.median - node0.median).toFixed(0)} ms over node -e 0`;
  }
  if (node0 && st && Number.isFinite(node0.median) && Number.isFinite(st.median)) {
    const d = st.median - node0.median;
    st.note = `+${d.toFixed(0)} ms over node -e 0`;
    add('start-up within 200 ms of node -e 0', d <= 200, `${fmt(st.median, 0)} ms vs ${fmt(node0.median, 0)} ms = +${fmt(d, 0)} ms`);
  }
  const fo = byTool('3 follow', 'tail-async');
  if (fo && Number.isFinite(fo.median)) add('follow ≥ 200 MB/s', fo.median >= 200, `${fmt(fo.median, 0)} MB/s (median), ${fmt(fo.min, 0)}–${fmt(fo.max, 0)}`);
  const lat = byTool('4 latency', 'tail-async', 'p50');
  if (lat?.pooled) {
    const p = lat.pooled;
    add('latency p50 ≤ 1 ms', p.p50 <= 1, `${fmt(p.p50)} ms over ${p.lines} lines`);
    add('latency p99 ≤ 10 ms', p.p99 <= 10, `${fmt(p.p99)} ms`);
    add('latency max ≤ 100 ms', p.max <= 100, `${fmt(p.max, 1)} ms`);
  }
  const rss = rows.filter((r) => (r.tool.startsWith('tail-async') || r.tool.startsWith('tail()')) && r.rssPeakMB !== undefined);
  if (rss.length) {
    const worst = rss.reduce((a, b) => (b.rssPeakMB > a.rssPeakMB ? b : a));
    add('peak RSS ≤ 100 MB in every workload', worst.rssPeakMB <= 100, `worst ${worst.rssPeakMB.toFixed(0)} MB (${worst.workload}); ${rss.map((r) => `${r.workload.split(' ')[0]}:${r.rssPeakMB.toFixed(0)}`).join(' ')}`);
  }
  // Shipping: lines/s acknowledged through pipeTo vs the bare client, the same lines in the same batches;
  // each round's ratio (the two ran one after the other) shows the noise.
  for (const ta of rows.filter((r) => r.workload.startsWith('8 ship') && r.tool.startsWith('tail-async') && r.ref && r.ref !== r.tool)) {
    const bare = row((r) => r.workload === ta.workload && r.tool === ta.ref);
    if (!bare || !Number.isFinite(ta.median) || !Number.isFinite(bare.median)) continue;
    const r = ta.median / bare.median;
    const rounds = ta.values.slice(0, bare.values.length).map((v, i) => (v / bare.values[i]).toFixed(2));
    // CPU time a line, bare ÷ tail-async, per round: what the ratio would be if both were CPU-bound.
    const cpu = (ta.cpuPerLineUs ?? []).slice(0, bare.cpuPerLineUs?.length ?? 0).map((v, i) => (bare.cpuPerLineUs[i] / v).toFixed(2));
    const us = (x) => (x?.length ? `${median(x).toFixed(1)}` : '—');
    add(
      `${ta.workload.replace(/^8 ship, /, '')}: pipeTo ≥ 0.8× the bare client`,
      r >= 0.8,
      `${fmt(ta.median, 0)} vs ${fmt(bare.median, 0)} lines/s = ${fmt(r)}× (per round: ${rounds.join(', ')}); CPU ${us(ta.cpuPerLineUs)} vs ${us(bare.cpuPerLineUs)} µs a line (bare ÷ pipeTo per round: ${cpu.join(', ')}); RSS ${fmt(ta.rssPeakMB, 0)} MB vs ${fmt(bare.rssPeakMB, 0)} MB`,
    );
  }
  const id = byTool('6 idle', 'tail-async', 'CPU');
  if (id && Number.isFinite(id.median)) add(`idle ≤ 0.2 s CPU (${cfg.idleFiles} files, ${cfg.idleSeconds} s)`, id.median <= 0.2, `${fmt(id.median, 3)} s (median), max ${fmt(id.max, 3)} s`);
  recordTargets(rows, add, fmt, cfg);
  return targets;
}

async function main() {
  const cfg = loadConfig();
  if (!existsSync(DIST)) {
    process.stderr.write('bench: dist/ is missing: run `npm run build` first\n');
    process.exit(2);
  }
  const info = machine();
  let builds;
  try {
    builds = loadBuilds(cfg);
  } catch (error) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  if (builds[0].distOlderThanSrc) log('warning: src/ has changed since dist/ was built: this measures dist/ (run `npm run build`)');
  const compare = builds[1];
  let compareInfo;
  if (compare) {
    const version = spawnSync(NODE, [compare.bin, '--version'], { encoding: 'utf8', timeout: 30_000 });
    if (version.status !== 0) {
      process.stderr.write(`bench: BENCH_COMPARE=${cfg.compare}: \`${compare.bin} --version\` failed (${version.status ?? version.signal}): ${(version.stderr ?? '').trim().slice(0, 500)}\n`);
      process.exit(2);
    }
    compareInfo = { path: compare.root, label: compare.label, commit: compare.commit, dirty: compare.dirty, distOlderThanSrc: compare.distOlderThanSrc, version: version.stdout.trim() };
  }
  if (!TIME_BIN) log('note: /usr/bin/time not found: no peak RSS for the catch-up workload');

  tmp = mkdtempSync(join(cfg.tmpdir ?? tmpdir(), 'tail-async-bench-'));
  const sizeLabel = `${cfg.sizeMB} MB`;
  log(`config: ${JSON.stringify({ ...cfg, out: relative(ROOT, cfg.out) })}`);
  log(`machine: ${info.cpu}, ${info.memoryGiB} GiB, Linux ${info.kernel}, Node ${info.node}, commit ${info.commit}${info.dirty ? ' (src/bin modified)' : ''}`);
  if (compare) {
    log(`compare: rows "… (${compare.label})" measure ${compare.root}, commit ${compare.commit ?? 'unknown'}${compare.dirty ? ' (src/bin modified)' : ''}${compare.sameAsCurrent ? ' (this checkout itself)' : ''}`);
    if (compare.distOlderThanSrc) log(`warning: BENCH_COMPARE: src/ in ${compare.root} has changed since its dist/ was built: this measures its dist/ (run \`npm run build\` there)`);
  }

  const genStart = now();
  const big = writeLog(join(tmp, 'big.log'), cfg.sizeMB * MB);
  const small = writeLog(join(tmp, 'small.log'), MB);
  const lib = cfg.libMB === cfg.sizeMB ? big : writeLog(join(tmp, 'lib.log'), cfg.libMB * MB);
  log(`generated ${(big.bytes / MB).toFixed(0)} MB (${big.lines} lines), 1 MB and ${(lib.bytes / MB).toFixed(0)} MB files in ${((now() - genStart) / 1000).toFixed(1)} s in ${tmp}`);

  const results = new Results();
  const ctx = { cfg, tmp, big, small, lib, results, log, sizeLabel, libLabel: `${(lib.bytes / MB).toFixed(0)} MB`, builds };
  const timings = {};
  for (const [name, fn] of WORKLOADS) {
    if (cfg.only.length && !cfg.only.includes(name)) continue;
    const t0 = now();
    log(`${name} …`);
    try {
      await fn(ctx);
    } catch (error) {
      results.failures.push(`${name}: ${error instanceof Error ? error.stack : error}`);
      log(`${name} failed: ${error instanceof Error ? error.message : error}`);
    }
    timings[name] = +((now() - t0) / 1000).toFixed(1);
    log(`${name} done in ${timings[name]} s${liveCount() ? ` (${liveCount()} children still live!)` : ''}`);
  }
  cleanup();

  results.finish();
  const targets = judge(results, cfg);
  info.loadavgEnd = loadavg().map((x) => +x.toFixed(2));
  const totalS = (now() - started) / 1000;

  const title = `tail-async benchmark — ${info.date.slice(0, 16).replace('T', ' ')} UTC — ${info.cpu}, ${info.memoryGiB} GiB, Node ${info.node}, ${info.gnuTail ?? 'GNU tail'} — size ${sizeLabel}${cfg.quick ? ' (BENCH_QUICK)' : ''}`;
  const out = [title, ''];
  if (compare) {
    out.push(
      `tail-async rows: this checkout (${ROOT.replace(/\/$/, '')}, commit ${info.commit ?? 'unknown'}${info.dirty ? ', src/bin modified' : ''});`,
      `"… (${compare.label})" rows: ${compare.root} (commit ${compare.commit ?? 'unknown'}${compare.dirty ? ', src/bin modified' : ''}${compare.distOlderThanSrc ? ', dist/ older than src/' : ''}), in the same rounds.`,
      '',
    );
  }
  out.push(
    formatTable(results),
    '',
    'Median of n runs (interleaved rounds). Ratio: median ÷ the reference row\'s median (the row marked ref);',
    'for times and memory lower is better, for rates (MB/s, lines/s) higher is better. Peak RSS: VmHWM or /usr/bin/time %M.',
    '',
    `Targets (issue 6${compare ? ', this checkout' : ''}):`,
    formatTargets(targets),
  );
  const pairs = results.pairs();
  if (pairs.length) {
    out.push(
      '',
      `This checkout vs ${compare.label} (same rounds): median of this checkout's row ÷ median of the ${compare.label} row;`,
      'below 1× is less time/memory/CPU, above 1× a higher rate. Look at the min–max column above before trusting a small difference.',
      formatPairs(pairs),
    );
  }
  if (results.failures.length) out.push('', 'Failures:', ...results.failures.map((f) => `  ${f}`));
  out.push('', `Total ${totalS.toFixed(0)} s (${Object.entries(timings).map(([k, v]) => `${k} ${v} s`).join(', ')}); load average ${info.loadavgStart.join(' ')} → ${info.loadavgEnd.join(' ')}`);
  process.stdout.write(out.join('\n') + '\n');

  mkdirSync(dirname(cfg.out), { recursive: true });
  const json = {
    machine: info,
    config: { ...cfg, out: undefined },
    files: { big: { bytes: big.bytes, lines: big.lines, grepLines: big.grepLines }, lib: { bytes: lib.bytes, lines: lib.lines } },
    totalSeconds: +totalS.toFixed(1),
    workloadSeconds: timings,
    rows: results.rows,
    ...(compare ? { compare: { ...compareInfo, pairs: pairs.map(({ compare: c, current: r }) => ({ workload: r.workload, tool: r.tool, compareTool: c.tool, metric: r.metric, unit: r.unit, better: r.better, median: r.median, compareMedian: c.median, ratio: Number.isFinite(r.median) && c.median > 0 ? r.median / c.median : null })) } } : {}),
    targets,
    failures: results.failures,
  };
  writeFileSync(cfg.out, JSON.stringify(json, null, 2) + '\n');
  log(`wrote ${relative(ROOT, cfg.out)}`);
  process.exitCode = results.failures.length ? 1 : 0;
}

main().catch((error) => {
  log(`bench failed: ${error instanceof Error ? error.stack : error}`);
  cleanup();
  process.exit(1);
});
