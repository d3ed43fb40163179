// Workloads 3–6: a followed file. Each tool follows a fresh file from its end (its stdout read by the
// harness) and is made ready with warm-up lines before anything is measured.
//   3 follow throughput: a writer process appends N MB as fast as it can (64 KiB writes); the time from
//     its first write until the last byte is on the tool's stdout; the output must be exactly the bytes
//     written (every line once, in order: SHA-1 compared).
//   4 latency: single lines appended at random 0–20 ms gaps; write → stdout latency per line.
//   5 slow consumer: the same writer, while the harness reads the tool's stdout slowly; peak RSS.
//   6 idle: CPU used while following many quiet files.
import { openSync, closeSync, writeFileSync, writeSync, rmSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CHILDREN, NODE, MB, now, sleep, within, prng, percentile } from '../lib/common.mjs';
import { start, stop, collect, peakRssMB, cpuSeconds } from '../lib/proc.mjs';
import { Follower, followTools } from '../lib/follower.mjs';
import { interleave } from '../lib/results.mjs';
import { writeQuietFiles } from '../lib/gen.mjs';

/** The first whole-line prefix of the big file holding at least `mb` MiB: its size and SHA-1. */
function followSource(big, mb) {
  let bytes = Math.min(big.bytes, Math.round(mb * MB));
  if (bytes < big.bytes) {
    const fd = openSync(big.path, 'r');
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, bytes - 1);
    closeSync(fd);
    const nl = buf.subarray(0, n).indexOf(10);
    bytes += nl; // up to and including the newline
  }
  const hash = createHash('sha1');
  const fd = openSync(big.path, 'r');
  const buf = Buffer.allocUnsafe(4 * MB);
  for (let pos = 0; pos < bytes; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, bytes - pos), pos);
    hash.update(buf.subarray(0, n));
    pos += n;
  }
  closeSync(fd);
  return { path: big.path, bytes, sha1: hash.digest('hex') };
}

/** Starts the writer child; resolves to its report {t0, t1, bytes}. */
function runWriter(src, dst, bytes, timeoutMs) {
  const child = start(NODE, [join(CHILDREN, 'writer.mjs'), src.path, dst, String(bytes)]);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  const timer = setTimeout(() => stop(child, { signal: 'SIGKILL' }), timeoutMs);
  const report = child.done.then(async (res) => {
    clearTimeout(timer);
    await Promise.all([out.ended(), err.ended()]);
    if (res.code !== 0) throw new Error(`writer failed (${res.code ?? res.signal}): ${err().slice(0, 300)}`);
    return JSON.parse(out());
  });
  return { child, report };
}

/** Runs `body(follower, fd)` with a ready follower on a fresh file; always stops it and removes the file. */
async function withFollower(tool, file, body) {
  writeFileSync(file, '');
  const follower = new Follower(tool, [file]).start();
  const fd = openSync(file, 'a');
  try {
    await follower.ready(fd);
    return await body(follower, fd);
  } finally {
    closeSync(fd);
    await follower.stop();
    rmSync(file, { force: true });
  }
}

export async function followThroughput({ cfg, big, tmp, results, log, builds }) {
  const src = followSource(big, cfg.followMB);
  const mb = src.bytes / MB;
  const W = `3 follow ${mb.toFixed(0)} MB written`;
  const tools = followTools(cfg, builds);
  const REF = tools.find((t) => t.ref).id;
  for (const t of tools) results.row(W, t.id, { metric: 'rate', unit: 'MB/s', better: 'higher', ref: REF, ...t.tags });
  // Slow tools (a 1 s poll, or 1 MB/s) must not hold the run forever: 30 s plus 0.5 s per MB.
  const timeoutMs = 30_000 + mb * 500;
  await interleave(
    tools,
    cfg,
    async (tool, round) => {
      const row = results.get(W, tool.id);
      const file = join(tmp, `follow-${round}.log`);
      try {
        return await withFollower(tool, file, async (follower) => {
          const hash = createHash('sha1');
          let got = 0;
          let lastAt = 0;
          let doneAt;
          let reached;
          const complete = new Promise((resolve) => (reached = resolve));
          follower.sink = (chunk, at) => {
            hash.update(chunk);
            got += chunk.length;
            lastAt = at;
            if (got >= src.bytes && doneAt === undefined) {
              doneAt = at;
              reached();
            }
          };
          const writer = runWriter(src, file, src.bytes, timeoutMs);
          const w = await writer.report;
          const res = await within(complete, timeoutMs);
          // Anything extra (a duplicated line) would arrive right after.
          await sleep(100);
          if (res === 'timeout') throw new Error(`only ${(got / MB).toFixed(1)} of ${mb.toFixed(1)} MB printed within ${timeoutMs / 1000} s`);
          const sha1 = hash.digest('hex');
          if (got !== src.bytes || sha1 !== src.sha1) throw new Error(`output differs from what was written (${got} bytes, expected ${src.bytes}; sha1 ${sha1 === src.sha1 ? 'equal' : 'differs'})`);
          row.rssMB.push(peakRssMB(follower.pid));
          row.cpuS.push(cpuSeconds(follower.pid));
          const seconds = (doneAt - w.t0) / 1000;
          row.values.push(mb / seconds);
          row.writerMBps = (row.writerMBps ?? []).concat(mb / ((w.t1 - w.t0) / 1000));
          void lastAt;
          return doneAt - w.t0;
        });
      } catch (error) {
        results.fail(row, error);
      }
    },
    log,
  );
  const writer = results.rows.filter((r) => r.workload === W).flatMap((r) => r.writerMBps ?? []);
  if (writer.length) {
    const ref = results.get(W, REF);
    ref.note = `writer alone: ${Math.round(writer.reduce((a, b) => a + b) / writer.length)} MB/s`;
  }
}

export async function latency({ cfg, tmp, results, log, builds }) {
  const W = `4 latency, ${cfg.latencyLines} lines/run at 0–${cfg.latencyMaxGapMs} ms gaps`;
  const tools = followTools(cfg, builds);
  const REF = tools.find((t) => t.ref).id;
  const metrics = ['p50', 'p99', 'max'];
  for (const t of tools) {
    for (const m of metrics) results.row(W, t.id, { metric: m, unit: 'ms', ref: REF, digits: 2, ...t.tags });
  }
  const pooled = new Map(tools.map((t) => [t.id, []]));
  await interleave(
    tools,
    cfg,
    async (tool, round) => {
      const rows = metrics.map((m) => results.get(W, tool.id, m));
      const file = join(tmp, `latency-${round}.log`);
      try {
        await withFollower(tool, file, async (follower, fd) => {
          const rnd = prng(cfg.seed + round);
          const written = new Float64Array(cfg.latencyLines);
          const latencies = [];
          let partial = '';
          let received = 0;
          follower.sink = (chunk, at) => {
            const text = partial + chunk.toString('latin1');
            const parts = text.split('\n');
            partial = parts.pop();
            for (const line of parts) {
              const m = /^lat (\d+) /.exec(line);
              if (!m) continue;
              latencies.push(at - written[Number(m[1])]);
              received++;
            }
          };
          for (let seq = 0; seq < cfg.latencyLines; seq++) {
            const gap = rnd() * cfg.latencyMaxGapMs;
            if (gap < 1) await new Promise((r) => setImmediate(r));
            else await sleep(gap);
            const line = `lat ${seq} `.padEnd(99, '-') + '\n';
            written[seq] = now();
            writeSync(fd, line);
          }
          const deadline = now() + 3000;
          while (received < cfg.latencyLines && now() < deadline) await sleep(10);
          if (received < cfg.latencyLines) throw new Error(`${cfg.latencyLines - received} of ${cfg.latencyLines} lines never printed (within 3 s)`);
          rows[0].values.push(percentile(latencies, 50));
          rows[1].values.push(percentile(latencies, 99));
          rows[2].values.push(Math.max(...latencies));
          rows[0].rssMB.push(peakRssMB(follower.pid));
          pooled.get(tool.id).push(...latencies);
        });
      } catch (error) {
        results.fail(rows[0], error);
      }
    },
    log,
  );
  for (const t of tools) {
    const all = pooled.get(t.id);
    const row = results.get(W, t.id, 'p50');
    row.pooled = all.length ? { lines: all.length, p50: percentile(all, 50), p99: percentile(all, 99), max: Math.max(...all) } : undefined;
    if (row.pooled) row.note = `all ${all.length} lines: p50 ${row.pooled.p50.toFixed(2)}, p99 ${row.pooled.p99.toFixed(2)}, max ${row.pooled.max.toFixed(1)} ms`;
  }
}

export async function slowConsumer({ cfg, big, tmp, results, log, builds }) {
  const src = followSource(big, cfg.followMB);
  const mb = src.bytes / MB;
  const readRate = (cfg.slowReadKiB / 1024) * (1000 / cfg.slowSleepMs);
  const W = `5 slow consumer (≤${readRate.toFixed(1)} MB/s), ${mb.toFixed(0)} MB written`;
  const tools = followTools(cfg, builds);
  const REF = tools.find((t) => t.ref).id;
  for (const t of tools) results.row(W, t.id, { metric: 'peak RSS', unit: 'MB', ref: REF, digits: 0, ...t.tags });
  await interleave(
    tools,
    { ...cfg, cheapRuns: cfg.runs },
    async (tool, round) => {
      const row = results.get(W, tool.id, 'peak RSS');
      const file = join(tmp, `slow-${round}.log`);
      let writer;
      try {
        await withFollower(tool, file, async (follower) => {
          follower.slowDown(cfg.slowSleepMs);
          const t0 = now();
          writer = runWriter(src, file, src.bytes, 120_000);
          writer.report.catch(() => {});
          await sleep(cfg.slowSeconds * 1000);
          const rss = peakRssMB(follower.pid);
          row.values.push(rss);
          row.rssMB.push(rss);
          row.consumed = (row.consumed ?? []).concat(follower.slowBytes / MB / ((now() - t0) / 1000));
        });
      } catch (error) {
        results.fail(row, error);
      } finally {
        if (writer) await stop(writer.child, { signal: 'SIGKILL' });
      }
    },
    log,
  );
  for (const t of tools) {
    const row = results.get(W, t.id, 'peak RSS');
    if (row.consumed?.length) row.note = `read by consumer: ${(row.consumed.reduce((a, b) => a + b) / row.consumed.length).toFixed(1)} MB/s over ${cfg.slowSeconds} s`;
  }
}

export async function idle({ cfg, tmp, results, log, builds }) {
  const dir = join(tmp, 'quiet');
  writeQuietFiles(dir, cfg.idleFiles);
  const files = Array.from({ length: cfg.idleFiles }, (_, i) => join(dir, `f${String(i).padStart(4, '0')}.log`));
  const W = `6 idle, ${cfg.idleFiles} quiet files, ${cfg.idleSeconds} s`;
  const tools = followTools(cfg, builds, { glob: join(dir, '*.log') });
  const REF = tools.find((t) => t.ref).id;
  for (const t of tools) results.row(W, t.id, { metric: 'CPU', unit: 's', ref: REF, digits: 3, note: t.glob ? 'one glob pattern' : `the ${cfg.idleFiles} paths`, ...t.tags });
  // All tools follow the same directory at the same time (idle CPU does not compete); rounds repeat.
  for (let round = 0; round < cfg.runs; round++) {
    const followers = tools.map((t) => new Follower(t, files));
    try {
      for (const f of followers) {
        f.start();
        f.warming = false;
      }
      const settle = cfg.quick ? { quietMs: 300, minMs: 800, timeoutMs: 5000 } : { quietMs: 1000, minMs: 2000, timeoutMs: 30_000 };
      await Promise.all(
        followers.map((f) =>
          f.settle(settle).then(
            (cpu) => (f.startupCpu = cpu),
            (error) => (f.error = error),
          ),
        ),
      );
      const alive = followers.filter((f) => !f.error);
      const before = alive.map((f) => cpuSeconds(f.pid));
      await sleep(cfg.idleSeconds * 1000);
      alive.forEach((f, i) => {
        const row = results.get(W, f.tool.id, 'CPU');
        try {
          row.values.push(cpuSeconds(f.pid) - before[i]);
          row.rssMB.push(peakRssMB(f.pid));
          (row.startupCpu ??= []).push(f.startupCpu);
          if (f.unsettled) row.unsettled = (row.unsettled ?? 0) + 1;
        } catch (error) {
          results.fail(row, error);
        }
      });
      for (const f of followers) if (f.error) results.fail(results.get(W, f.tool.id, 'CPU'), f.error);
    } catch (error) {
      log(`  idle round ${round + 1} failed: ${error.message}`);
    } finally {
      await Promise.all(followers.map((f) => (f.child ? f.stop() : undefined)));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  for (const t of tools) {
    const row = results.get(W, t.id, 'CPU');
    const cpus = row.startupCpu ?? [];
    const parts = [row.note];
    if (cpus.length) parts.push(`start-up ${(cpus.reduce((a, b) => a + b) / cpus.length).toFixed(2)} s CPU before idle`);
    if (row.unsettled) parts.push(`never idle in ${row.unsettled} round(s)`);
    row.note = parts.filter(Boolean).join(', ');
  }
}
