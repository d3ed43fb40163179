// Paths, configuration, clocks and statistics shared by the benchmark workloads.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { prng as uint32Prng } from '../../test/helpers/prng.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'tail-async.js');
export const DIST = join(ROOT, 'dist', 'index.js');
export const BENCH = join(ROOT, 'bench');
export const PEERS = join(BENCH, 'peers');
export const CHILDREN = join(BENCH, 'children');
export const NODE = process.execPath;
export const MB = 1024 * 1024;

/** Monotonic milliseconds (CLOCK_MONOTONIC: the same clock in every process of this machine). */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or `onTimeout` after `ms` (the timer is cleared either way, so it keeps nothing alive). */
export async function within(promise, ms, onTimeout = 'timeout') {
  let timer;
  try {
    return await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(() => resolve(onTimeout), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got '${raw}'`);
  return n;
}

/** The run's configuration: defaults keep `npm run bench` within a few minutes on 2 cores. */
export function loadConfig() {
  const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
  const sizeMB = envNumber('BENCH_SIZE_MB', quick ? 4 : 100);
  const cfg = {
    quick,
    sizeMB,
    // The follow and slow-consumer writers copy from the big file, so they cannot write more than it holds.
    followMB: Math.min(envNumber('BENCH_FOLLOW_MB', sizeMB), sizeMB),
    libMB: envNumber('BENCH_LIB_MB', Math.min(sizeMB, quick ? 2 : 50)),
    // Rounds: expensive runs at least `runs` times, cheap ones (< cheapMs) `cheapRuns` times.
    runs: envNumber('BENCH_RUNS', quick ? 1 : 3),
    cheapRuns: envNumber('BENCH_CHEAP_RUNS', quick ? 1 : 5),
    cheapMs: 1500,
    latencyLines: envNumber('BENCH_LAT_LINES', quick ? 20 : 100),
    latencyMaxGapMs: envNumber('BENCH_LAT_GAP_MS', 20),
    idleFiles: envNumber('BENCH_IDLE_FILES', quick ? 200 : 1000),
    idleSeconds: envNumber('BENCH_IDLE_SECONDS', quick ? 1 : 10),
    slowSeconds: envNumber('BENCH_SLOW_SECONDS', quick ? 0.5 : 2),
    slowReadKiB: envNumber('BENCH_SLOW_READ_KIB', 64),
    slowSleepMs: envNumber('BENCH_SLOW_SLEEP_MS', 10),
    startupRuns: envNumber('BENCH_STARTUP_RUNS', quick ? 2 : 11),
    // Workload 8 (ship): the files shipped to each engine (NATS with one line a message is ~100× slower).
    shipRedisMB: envNumber('BENCH_SHIP_REDIS_MB', quick ? 1 : 10),
    shipNats1MB: envNumber('BENCH_SHIP_NATS1_MB', quick ? 0.2 : 2),
    // (150 MB: runs of ~2 s. The first quarter of a run, while the code is compiled, goes at half the
    // steady rate or less, for both; with 50 MB runs had become ~0.7 s and that weighed on the ratio:
    // 0.72× against 0.85× at 150 MB, measured back to back.)
    shipNats100MB: envNumber('BENCH_SHIP_NATS100_MB', quick ? 1 : 150),
    peers: process.env.BENCH_PEERS !== '0',
    // The Node peers in the follow workloads (3–6); the quick smoke run leaves them out for time
    // (@logdna/tail-file alone needs a 1 s poll before it prints anything).
    followPeers: process.env.BENCH_PEERS !== '0' && !quick,
    only: (process.env.BENCH_ONLY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    tmpdir: process.env.BENCH_TMPDIR || undefined,
    out: process.env.BENCH_OUT || join(BENCH, 'results', 'latest.json'),
    seed: envNumber('BENCH_SEED', 42),
    // Another checkout of tail-async measured next to this one (bench/lib/builds.mjs), and its row label.
    compare: process.env.BENCH_COMPARE || undefined,
    compareLabel: process.env.BENCH_COMPARE_LABEL || undefined,
  };
  if (cfg.sizeMB < 1) throw new Error('BENCH_SIZE_MB must be at least 1');
  if (cfg.runs < 1) cfg.runs = 1;
  if (cfg.cheapRuns < cfg.runs) cfg.cheapRuns = cfg.runs;
  return cfg;
}

export function sorted(xs) {
  return [...xs].sort((a, b) => a - b);
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export const min = (xs) => (xs.length ? Math.min(...xs) : NaN);
export const max = (xs) => (xs.length ? Math.max(...xs) : NaN);

/** A small deterministic PRNG (the tests' mulberry32, scaled to [0, 1)), so runs write the same gaps and contents. */
export function prng(seed) {
  const next = uint32Prng(seed);
  return () => next() / 4294967296;
}

/** Quotes a word for sh. */
export function shq(word) {
  return `'${String(word).replace(/'/g, `'\\''`)}'`;
}
