// A tailer following one or more files, its stdout read by the harness: used by the follow,
// latency, slow-consumer and idle workloads. Every tool starts at the end of the file (only new
// lines), with its documented default settings.
import { writeSync } from 'node:fs';
import { NODE, PEERS, now, sleep } from './common.mjs';
import { start, stop, collect, cpuSeconds } from './proc.mjs';
import { forBuilds } from './builds.mjs';
import { join } from 'node:path';

/**
 * The tools that follow files by name, as commands. `files` is an array of paths (or one glob for
 * tail-async: `glob` is then set on its tools). tail-async once per build (`builds`: bench/lib/builds.mjs).
 */
export function followTools(cfg, builds, { glob } = {}) {
  const tools = [
    ...forBuilds(builds, (b) => ({ id: b.name('tail-async'), cmd: NODE, args: (files) => [b.bin, '-n', '0', ...(glob ? [glob] : files)], glob })),
    { id: 'GNU tail -F', cmd: 'tail', args: (files) => ['-n', '0', '-F', ...files], ref: true },
  ];
  if (cfg.followPeers) {
    tools.push(
      { id: 'tail (npm)', cmd: NODE, args: (files) => [join(PEERS, 'npm-tail.cjs'), ...files] },
      { id: '@logdna/tail-file+split2', cmd: NODE, args: (files) => [join(PEERS, 'logdna.cjs'), '--split', 'split2', ...files] },
    );
  }
  return tools;
}

export class Follower {
  constructor(tool, files) {
    this.tool = tool;
    this.files = files;
    this.child = undefined;
    /** Receives (chunk: Buffer, at: monotonic ms) once the follower is ready. */
    this.sink = () => {};
    this.bytes = 0;
    this.lastDataAt = 0;
    this.warmText = '';
    this.lastWarm = -1;
    this.warming = true;
  }

  start() {
    this.startedAt = now();
    this.child = start(this.tool.cmd, this.tool.args(this.files));
    this.stderr = collect(this.child.stderr);
    this.child.stdout.on('data', (chunk) => this.onData(chunk));
    return this;
  }

  get pid() {
    return this.child.pid;
  }

  onData(chunk) {
    const at = now();
    this.bytes += chunk.length;
    this.lastDataAt = at;
    if (this.warming) {
      this.warmText = (this.warmText + chunk.toString('latin1')).slice(-4096);
      const re = /warmup (\d+)\n/g;
      let m;
      while ((m = re.exec(this.warmText)) !== null) this.lastWarm = Math.max(this.lastWarm, Number(m[1]));
      return;
    }
    this.sink(chunk, at);
  }

  /**
   * Waits until the tool prints what is appended: writes `warmup K` lines to `fd` every 50 ms until one
   * comes out, then waits for the last one written. Only after that do measured lines start.
   */
  async ready(fd, timeoutMs = 10_000) {
    const deadline = now() + timeoutMs;
    let written = 0;
    const failIfGone = () => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${this.tool.id} exited early (${this.child.exitCode ?? this.child.signalCode}): ${this.stderr().slice(0, 500)}`);
      }
    };
    while (this.lastWarm < 0) {
      failIfGone();
      if (now() > deadline) throw new Error(`${this.tool.id} printed nothing within ${timeoutMs} ms: ${this.stderr().slice(0, 500)}`);
      writeSync(fd, `warmup ${written++}\n`);
      await sleep(50);
    }
    while (this.lastWarm < written - 1) {
      failIfGone();
      if (now() > deadline) throw new Error(`${this.tool.id} did not print warmup ${written - 1} within ${timeoutMs} ms`);
      await sleep(5);
    }
    await sleep(20);
    this.warming = false;
    this.readyAt = now();
  }

  /**
   * Waits until the tool is idle: nothing printed for `quietMs`, at least `minMs` since it started, and
   * less than `cpuPerS` seconds of CPU per second over the last `windowMs` (start-up work, such as the
   * first reads and re-checks of a thousand files, goes on after the output is quiet). Gives up waiting
   * after `timeoutMs` (a tool that is never quiet is then measured as it is). Resolves to the CPU
   * seconds used until then.
   */
  async settle({ quietMs = 1000, minMs = 2000, cpuPerS = 0.1, windowMs = 2000, timeoutMs = 30_000 } = {}) {
    this.warming = false;
    const samples = [];
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${this.tool.id} exited early: ${this.stderr().slice(0, 500)}`);
      }
      const t = now();
      const cpu = cpuSeconds(this.pid);
      samples.push([t, cpu]);
      const old = samples.find(([ts]) => t - ts <= windowMs);
      const rate = old && t - old[0] >= windowMs / 2 ? (cpu - old[1]) / ((t - old[0]) / 1000) : Infinity;
      const quiet = t - Math.max(this.lastDataAt, this.startedAt) >= quietMs;
      if (t - this.startedAt >= minMs && quiet && rate < cpuPerS) return cpu;
      if (t - this.startedAt > timeoutMs) {
        this.unsettled = true;
        return cpu;
      }
      await sleep(100);
    }
  }

  /** Reads stdout slowly: at most one buffered chunk every `sleepMs` (the pipe then fills and blocks the tool). */
  slowDown(sleepMs) {
    const out = this.child.stdout;
    out.removeAllListeners('data');
    out.pause();
    this.slowBytes = 0;
    this.slowTimer = setInterval(() => {
      const chunk = out.read();
      if (chunk) this.slowBytes += chunk.length;
    }, sleepMs);
  }

  /** Back to reading everything (so that a tool blocked on a full pipe can take its signal), then ends it. */
  async stop(graceMs = 2000) {
    if (this.slowTimer) {
      clearInterval(this.slowTimer);
      this.slowTimer = undefined;
      this.child.stdout.on('data', () => {});
      this.child.stdout.resume();
    }
    await stop(this.child, { graceMs });
  }
}
