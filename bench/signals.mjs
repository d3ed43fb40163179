// How long `tail-async` takes to exit after SIGTERM, at the moments a plugin makes hardest, and what it
// prints: the number behind "a signal ends the run within a second" (too dependent on the machine's load
// for an assertion in the tests, which check the behaviour itself).
//
//   node bench/signals.mjs                     # 10 runs of each moment, next to 2 CPU-burning processes
//   SIGNALS_RUNS=20 SIGNALS_BURNERS=0 node bench/signals.mjs
//
// Each run follows a file of 1 000 lines through the plugin of test/fixtures/plugins/misbehaving.mjs
// (it upper-cases lines), is sent SIGTERM at the moment named, and is timed from the signal to its end
// (as its parent sees it). Moments: `loop` (the plugin is in an endless loop on line 500), `hang` (it
// waits on a promise that never settles there), `hang in-process` (the same with --plugin-isolation
// none), `closing` (the end of a --no-follow run whose plugin's close() is stuck in a loop) and `quiet`
// (following, every line printed). Lines printed: 499 expected for the first three, 1 000 for the others.
// A run slower than 0.9 s is shown as it ends, with its stderr.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, NODE, now, sleep } from './lib/common.mjs';

const RUNS = Number(process.env.SIGNALS_RUNS ?? 10);
const BURNERS = Number(process.env.SIGNALS_BURNERS ?? 2);
const MISBEHAVING = fileURLToPath(new URL('../test/fixtures/plugins/misbehaving.mjs', import.meta.url));
const MOMENTS = ['loop', 'hang', 'hang in-process', 'closing', 'quiet'];

/** One run: the time from SIGTERM to the end, the lines printed, and the status. */
async function once(moment) {
  const dir = mkdtempSync(join(tmpdir(), 'tail-async-signals-'));
  try {
    const word = moment.split(' ')[0];
    const lines = Array.from({ length: 1000 }, (_, i) => (i === 499 && (word === 'loop' || word === 'hang') ? `${word} line 500` : `line ${i + 1}`));
    const file = join(dir, 'app.log');
    writeFileSync(file, lines.map((l) => l + '\n').join(''));
    let plugin = MISBEHAVING;
    const args = ['-n', '+1', '--processor-timeout', '60'];
    if (moment === 'closing') {
      plugin = join(dir, 'stuck-close.mjs');
      writeFileSync(plugin, `import { writeFileSync } from 'node:fs';\nexport default { name: 'stuck', process(t) { return t.toUpperCase(); }, close() { writeFileSync(${JSON.stringify(join(dir, 'closing'))}, ''); for (;;); } };\n`);
      args.unshift('--no-follow');
    }
    if (moment === 'hang in-process') args.unshift('--plugin-isolation', 'none');
    const child = spawn(NODE, [BIN, ...args, '--plugin', plugin, file], { env: { ...process.env, MARK_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    const ended = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
    const deadline = now() + 30_000;
    const ready = () => (moment === 'quiet' ? out.length >= lines.join('\n').length + 1 : existsSync(join(dir, word)));
    while (!ready()) {
      if (now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${moment}: the moment did not come within 30 s`);
      }
      await sleep(2);
    }
    const signalled = now();
    child.kill('SIGTERM');
    const status = await ended;
    const ms = now() - signalled;
    if (ms > 900) console.log(`${moment}: ${ms.toFixed(0)} ms${err ? `, stderr: ${err.trim().replace(/\n/g, ' | ')}` : ''}`);
    return { ms, lines: out === '' ? 0 : out.split('\n').length - 1, status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const burners = Array.from({ length: BURNERS }, () => spawn(NODE, ['-e', 'for (;;);'], { stdio: 'ignore' }));
const stopBurners = () => burners.forEach((b) => b.kill('SIGKILL'));
process.on('exit', stopBurners);
try {
  const before = loadavg().map((l) => l.toFixed(1)).join(' ');
  const results = Object.fromEntries(MOMENTS.map((m) => [m, []]));
  // Interleaved, so that a change of load touches every moment alike.
  for (let r = 0; r < RUNS; r++) for (const moment of MOMENTS) results[moment].push(await once(moment));
  const after = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`SIGTERM to exit, ${RUNS} runs a moment, ${BURNERS} CPU-burning processes alongside; load average ${before} → ${after}\n`);
  console.log('| Moment | median | p90 | max | lines printed | status |');
  console.log('|---|---|---|---|---|---|');
  for (const moment of MOMENTS) {
    const runs = results[moment];
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(0);
    const distinct = (values) => [...new Set(values)].join(', ');
    console.log(`| ${moment} | ${at(0.5)} ms | ${at(0.9)} ms | ${ms[ms.length - 1].toFixed(0)} ms | ${distinct(runs.map((r) => r.lines))} | ${distinct(runs.map((r) => r.status))} |`);
  }
} finally {
  stopBurners();
}
