// One library measurement in a fresh process: MODE FILE EXPECTED_LINES [DIST_DIR]. Prints
// {"lines","ms","maxRssMB"} as JSON, ms covering only the iteration (not Node's start-up nor the import).
// DIST_DIR: the build of tail-async to import (default: this checkout's dist/).
//   lines-pN   for await (const line of tail(file, { follow: false, start: { fromLine: 1 }, processors }))
//   batches-pN the same through .batches()
//   framer     the Framer alone on fs.createReadStream(file) chunks (no iterator, no chain)
//   split2     fs.createReadStream(file).pipe(split2()) 'data' events
//   readline   readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity }) 'line' events
// pN: N synchronous processors (0, 1 or 3), each keeping every line.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [mode, file, expectedArg, distArg] = process.argv.slice(2);
const distDir = distArg ?? fileURLToPath(new URL('../../dist', import.meta.url));
const fromDist = (path) => import(pathToFileURL(join(distDir, path)).href);
const expected = Number(expectedArg);
const now = () => Number(process.hrtime.bigint()) / 1e6;

// Cheap, realistic synchronous processors that keep every line (so the count can be checked).
const PROCESSORS = [
  (text) => (text.includes('ERROR') ? text : undefined), // a match test; returns the same text
  (text, ctx) => (ctx.lineNumber < 0 ? null : undefined), // reads the context
  (text) => (text.length > 1_000_000 ? text.slice(0, 1_000_000) : undefined), // a length guard
];

let lines = 0;
let t0;
let t1;
if (mode.startsWith('lines-') || mode.startsWith('batches-')) {
  const { tail } = await fromDist('index.js');
  const n = Number(mode.split('-p')[1]);
  const options = { follow: false, start: { fromLine: 1 }, processors: PROCESSORS.slice(0, n) };
  t0 = now();
  if (mode.startsWith('lines-')) {
    for await (const line of tail(file, options)) {
      if (line.text.length >= 0) lines++;
    }
  } else {
    for await (const batch of tail(file, options).batches()) {
      for (let i = 0; i < batch.length; i++) if (batch[i].text.length >= 0) lines++;
    }
  }
  t1 = now();
} else if (mode === 'framer') {
  // The framer alone, fed the same 64 KiB chunks of the same read stream as split2: what framing costs
  // without tail()'s iterator, files and chain.
  const { Framer } = await fromDist('lines/framer.js');
  const framer = new Framer({ source: file, delimiter: 10, maxLineBytes: 16 * 1024 * 1024, overlong: 'split', encoding: 'utf8' });
  t0 = now();
  const stream = createReadStream(file);
  const out = [];
  stream.on('data', (chunk) => {
    framer.push(chunk, out);
    for (let i = 0; i < out.length; i++) if (out[i].text.length >= 0) lines++;
    out.length = 0;
  });
  await once(stream, 'end');
  framer.flush(out);
  lines += out.length;
  t1 = now();
} else if (mode === 'split2') {
  const { default: split2 } = await import('split2');
  t0 = now();
  const stream = createReadStream(file).pipe(split2());
  stream.on('data', (line) => {
    if (line.length >= 0) lines++;
  });
  await once(stream, 'end');
  t1 = now();
} else if (mode === 'readline') {
  t0 = now();
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (line.length >= 0) lines++;
  });
  await once(rl, 'close');
  t1 = now();
} else {
  throw new Error(`unknown mode ${mode}`);
}
if (lines !== expected) {
  process.stderr.write(`${mode}: ${lines} lines, expected ${expected}\n`);
  process.exit(1);
}
process.stdout.write(JSON.stringify({ lines, ms: t1 - t0, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
