// Workload 10 (since): `--since T --no-follow` on a BENCH_SIZE_MB file of time-ordered lines vs on a 1 MB
// one, T the time of each file's last second (the same ~1 000 lines out of both): the start is found by
// binary search, so the cost should not depend on the size (target ≤ 1.2×).
// Workload 11 (parse): `--parse logfmt --where level=error` vs `--json --where level=error` over the same
// records written both ways (min(BENCH_LIB_MB, 20) MB each, 1 % errors), from the first line, no follow.
import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { NODE, MB, shq } from '../lib/common.mjs';
import { timedRun } from '../lib/proc.mjs';
import { interleave } from '../lib/results.mjs';

const T0 = Date.parse('2024-05-01T00:00:00Z');
/** Lines that share one second: the file's time advances a second per block. */
const BLOCK_LINES = 1000;
const stampOf = (second) => new Date(T0 + second * 1000).toISOString().replace('.000Z', 'Z');

/**
 * A file of about `bytes` bytes of ~100-byte lines in time order, BLOCK_LINES lines a second: written
 * as copies of one block with each line's 20-byte stamp rewritten. Returns its last second and how
 * many lines carry it.
 */
function writeTimedLog(path, bytes) {
  const lines = [];
  for (let i = 0; i < BLOCK_LINES; i++) lines.push(`${stampOf(0)} INFO [w-0${i % 4}] GET /api/v1/items status=200 dur=${(i * 13) % 997}ms `.padEnd(99, 'x') + '\n');
  const block = Buffer.from(lines.join(''), 'latin1');
  const starts = [];
  for (let i = 0, pos = 0; i < BLOCK_LINES; pos += lines[i].length, i++) starts.push(pos);
  const fd = openSync(path, 'w');
  let written = 0;
  let second = 0;
  try {
    for (; written < bytes; second++) {
      const stamp = stampOf(second);
      for (const at of starts) block.write(stamp, at, 'latin1');
      const take = Math.min(block.length, bytes - written);
      // Whole lines only: the last block may be cut at a line's end.
      const end = take === block.length ? take : Math.max(block.lastIndexOf(10, take - 1) + 1, starts[1]);
      writeSync(fd, block, 0, end);
      written += end;
      if (end < block.length) return { path, bytes: written, lastSecond: second, lastLines: starts.filter((s) => s < end).length };
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes: written, lastSecond: second - 1, lastLines: BLOCK_LINES };
}

async function measure({ tools, cfg, results, log, W, statsFile }) {
  await interleave(
    tools,
    { runs: cfg.cheapRuns, cheapRuns: cfg.cheapRuns, cheapMs: Infinity },
    (tool) =>
      timedRun(
        results,
        results.get(W, tool.id),
        tool.cmd,
        statsFile,
        (res) => {
          const got = res.stdout.split('\n').length - 1;
          if (got !== tool.lines) throw new Error(`${got} lines out, ${tool.lines} expected`);
        },
        120_000,
      ),
    log,
  );
}

export async function since({ cfg, tmp, results, log, sizeLabel, builds }) {
  const W = '10 --since --no-follow';
  const bin = builds[0].bin;
  const big = writeTimedLog(join(tmp, 'timed-big.log'), cfg.sizeMB * MB);
  const small = writeTimedLog(join(tmp, 'timed-small.log'), MB);
  log(`since: ${(big.bytes / MB).toFixed(0)} MB of time-ordered lines (last second ${big.lastSecond}) and 1 MB`);
  const tool = (label, file) => ({ id: `tail-async (${label})`, ref: 'tail-async (1 MB)', lines: file.lastLines, cmd: `${shq(NODE)} ${shq(bin)} --no-follow --since ${stampOf(file.lastSecond)} ${shq(file.path)}` });
  const tools = [tool('1 MB', small), tool(sizeLabel, big)];
  for (const t of tools) results.row(W, t.id, { metric: 'time', unit: 'ms', ref: t.ref });
  await measure({ tools, cfg, results, log, W, statsFile: join(tmp, 'since-stats.txt') });
}

export async function parse({ cfg, tmp, results, log, builds }) {
  const W = '11 --parse logfmt vs --json';
  const bin = builds[0].bin;
  const mb = Math.min(cfg.libMB, 20);
  const logfmt = [];
  const json = [];
  let errors = 0;
  for (let i = 0, bytes = 0; bytes < mb * MB; i++) {
    const level = i % 100 === 37 ? 'error' : i % 8 === 3 ? 'debug' : 'info';
    if (level === 'error') errors++;
    const rec = { time: stampOf(Math.floor(i / BLOCK_LINES)), level, worker: `w-0${i % 4}`, path: '/api/v1/items', status: level === 'error' ? 500 : 200, dur: (i * 13) % 997, msg: 'request done', seq: i };
    logfmt.push(Object.entries(rec).map(([k, v]) => `${k}=${typeof v === 'string' && v.includes(' ') ? JSON.stringify(v) : v}`).join(' ') + '\n');
    json.push(JSON.stringify(rec) + '\n');
    bytes += logfmt[logfmt.length - 1].length;
  }
  const files = { logfmt: join(tmp, 'records.logfmt'), json: join(tmp, 'records.jsonl') };
  for (const [kind, lines] of [['logfmt', logfmt], ['json', json]]) {
    const fd = openSync(files[kind], 'w');
    writeSync(fd, lines.join(''));
    closeSync(fd);
  }
  log(`parse: ${logfmt.length} records (${mb} MB of logfmt), ${errors} errors`);
  const tools = [
    { id: '--json --where level=error', ref: '--json --where level=error', lines: errors, cmd: `${shq(NODE)} ${shq(bin)} --no-follow -n +1 --json --where level=error ${shq(files.json)}` },
    { id: '--parse logfmt --where level=error', ref: '--json --where level=error', lines: errors, cmd: `${shq(NODE)} ${shq(bin)} --no-follow -n +1 --parse logfmt --where level=error ${shq(files.logfmt)}` },
  ];
  for (const t of tools) results.row(W, t.id, { metric: 'time', unit: 'ms', ref: t.ref });
  await measure({ tools, cfg, results, log, W, statsFile: join(tmp, 'parse-stats.txt') });
}

/** The targets of workloads 10 and 11, for run.mjs's list. */
export function recordTargets(rows, add, fmt, cfg) {
  const get = (w, tool) => rows.find((r) => r.workload.startsWith(w) && r.tool === tool);
  const small = get('10 ', 'tail-async (1 MB)');
  const big = rows.find((r) => r.workload.startsWith('10 ') && r.tool !== 'tail-async (1 MB)');
  if (small && big && Number.isFinite(small.median) && Number.isFinite(big.median)) {
    const r = big.median / small.median;
    add(`--since on ${cfg.sizeMB} MB within 1.2× of 1 MB`, r <= 1.2, `${fmt(big.median, 0)} ms vs ${fmt(small.median, 0)} ms = ${fmt(r)}×`);
  }
  const json = get('11 ', '--json --where level=error');
  const logfmt = get('11 ', '--parse logfmt --where level=error');
  if (json && logfmt && Number.isFinite(json.median) && Number.isFinite(logfmt.median)) {
    add('--parse logfmt vs --json (no target: for the record)', null, `${fmt(logfmt.median, 0)} ms vs ${fmt(json.median, 0)} ms = ${fmt(logfmt.median / json.median)}×`);
  }
}
