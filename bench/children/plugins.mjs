// One plugin measurement in a fresh process: MODE FILE EXPECTED_LINES [DIST_DIR]. Prints
// {"lines","ms","maxRssMB"} as JSON, ms covering only the iteration (the plugin is loaded, and its thread
// started, before the clock starts).
//   PLUGIN-ISOLATION  tail(file, { follow: false, start: { fromLine: 1 }, processors: [plugin] }).batches()
//     PLUGIN: trivial (bench/children/trivial-plugin.mjs), upper (bench/children/upper-plugin.mjs) or
//       redact (examples/plugins/redact.mjs)
//     ISOLATION: none (in this thread) or worker (a worker thread of its own)
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [mode, file, expectedArg, distArg] = process.argv.slice(2);
const distDir = distArg ?? fileURLToPath(new URL('../../dist', import.meta.url));
const { tail, loadPlugin } = await import(pathToFileURL(join(distDir, 'index.js')).href);
const expected = Number(expectedArg);
const now = () => Number(process.hrtime.bigint()) / 1e6;

const PLUGINS = {
  trivial: fileURLToPath(new URL('./trivial-plugin.mjs', import.meta.url)),
  upper: fileURLToPath(new URL('./upper-plugin.mjs', import.meta.url)),
  redact: fileURLToPath(new URL('../../examples/plugins/redact.mjs', import.meta.url)),
};
const [name, isolation] = mode.split('-');
if (!PLUGINS[name] || (isolation !== 'none' && isolation !== 'worker')) throw new Error(`unknown mode ${mode}`);
const plugin = await loadPlugin(PLUGINS[name], { isolation });

let lines = 0;
const t0 = now();
for await (const batch of tail(file, { follow: false, start: { fromLine: 1 }, processors: [plugin] }).batches()) {
  for (let i = 0; i < batch.length; i++) if (batch[i].text.length >= 0) lines++;
}
const t1 = now();
if (lines !== expected) {
  process.stderr.write(`${mode}: ${lines} lines, expected ${expected}\n`);
  process.exit(1);
}
process.stdout.write(JSON.stringify({ lines, ms: t1 - t0, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
