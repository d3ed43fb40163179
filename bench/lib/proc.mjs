// Child processes with time limits, always cleaned up: each child leads its own process group, so a
// whole pipeline is ended with one kill; every live child is killed when the harness exits or is
// interrupted. Node reaps exited children itself, so none is left as a zombie.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { now, within } from './common.mjs';

const live = new Set();

export const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* Linux's usual value */
}

/**
 * Spawns `cmd` in its own process group and tracks it until it exits. `child.done` resolves to
 * `{ code, signal, at }` (at: monotonic ms of the exit).
 */
export function start(cmd, args, options = {}) {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  child.done = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal, at: now() });
    });
    child.once('error', (error) => {
      live.delete(child);
      resolve({ code: null, signal: null, at: now(), error });
    });
  });
  return child;
}

/** Sends `signal` to the child's whole process group (and the child itself, should the group be gone). */
export function signalGroup(child, signal) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      process.kill(child.pid, signal);
    } catch {
      /* already gone */
    }
  }
}

const exited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Ends the child (SIGTERM, then SIGKILL after `graceMs`) and waits for its exit. */
export async function stop(child, { signal = 'SIGTERM', graceMs = 2000 } = {}) {
  if (!child || !child.pid) return;
  if (!exited(child)) {
    signalGroup(child, signal);
    const result = await within(child.done, graceMs);
    if (result === 'timeout') signalGroup(child, 'SIGKILL');
  }
  // The group may hold other members (a pipeline): make sure they are gone too.
  signalGroup(child, 'SIGKILL');
  await child.done;
}

/** Kills every child still running (the harness is leaving). */
export function killAll() {
  for (const child of live) signalGroup(child, 'SIGKILL');
}

export function liveCount() {
  return live.size;
}

/** Collects a stream into a string (for small outputs: stderr, `wc -c`). */
export function collect(stream, limit = 1 << 20) {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (s) => {
    if (text.length < limit) text += s;
  });
  const get = () => text;
  /** Resolves once the stream closed (or after `ms`): everything the child wrote has been read. */
  get.ended = (ms = 2000) => (stream && !stream.closed ? within(new Promise((r) => stream.once('close', r)), ms) : Promise.resolve());
  return get;
}

/**
 * Runs a shell script in its own process group; resolves to `{ ms, code, signal, stdout, stderr }`,
 * where `ms` is the wall time from spawn to exit. Kills the group and rejects after `timeoutMs`.
 */
export async function runShell(script, { timeoutMs = 120_000, env } = {}) {
  const t0 = now();
  const child = start('sh', ['-c', script], env ? { env } : {});
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  try {
    const result = await within(child.done, timeoutMs);
    if (result === 'timeout') {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s: ${script}`);
    }
    await Promise.all([out.ended(), err.ended()]);
    return { ms: result.at - t0, code: result.code, signal: result.signal, stdout: out(), stderr: err() };
  } finally {
    await stop(child, { signal: 'SIGKILL' });
  }
}

/** utime + stime of a live process, in seconds (from /proc/PID/stat). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clkTck;
}

/** Peak resident set size (VmHWM) of a live process, in MiB. */
export function peakRssMB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Wraps a command for `/usr/bin/time` (peak RSS, CPU) when it exists. */
export function timed(command, statsFile) {
  return TIME_BIN ? `${TIME_BIN} -f '%M %U %S' -o '${statsFile}' ${command}` : command;
}

/** Reads what {@link timed} wrote: `{ rssMB, cpuS }`, or undefined. */
export function readTimed(statsFile) {
  if (!TIME_BIN) return undefined;
  try {
    const lines = readFileSync(statsFile, 'utf8').trim().split('\n');
    const [kb, user, sys] = lines[lines.length - 1].split(' ').map(Number);
    if (!Number.isFinite(kb)) return undefined;
    return { rssMB: kb / 1024, cpuS: user + sys };
  } catch {
    return undefined;
  }
}

/**
 * One timed run of a command that ends by itself, into `row`: its wall time (ms) and peak RSS, after
 * `check(res)` (which throws when the output is wrong); a failure is recorded on the row. Returns the ms.
 */
export async function timedRun(results, row, command, statsFile, check, timeoutMs = 60_000) {
  try {
    const res = await runShell(timed(command, statsFile), { timeoutMs });
    if (res.code !== 0) throw new Error(`exit ${res.code ?? res.signal}: ${res.stderr.slice(0, 300)}`);
    check(res);
    row.values.push(res.ms);
    const st = readTimed(statsFile);
    if (st) row.rssMB.push(st.rssMB);
    return res.ms;
  } catch (error) {
    results.fail(row, error);
  }
}

/**
 * Runs a Node child (`args`: the script and its arguments) that prints one JSON result, killed after
 * `timeoutMs`; returns the parsed result, or throws with the end of its stderr.
 */
export async function runJsonChild(node, args, timeoutMs) {
  const child = start(node, args);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  const timer = setTimeout(() => stop(child, { signal: 'SIGKILL' }), timeoutMs);
  try {
    const res = await child.done;
    await Promise.all([out.ended(), err.ended()]);
    if (res.code !== 0) throw new Error(`exit ${res.code ?? res.signal}: ${err().trim().slice(0, 300)}`);
    return JSON.parse(out());
  } finally {
    clearTimeout(timer);
    await stop(child, { signal: 'SIGKILL' });
  }
}
