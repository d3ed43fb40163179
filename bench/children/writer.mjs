// Appends the first BYTES bytes of SRC to DST as fast as it can, in BLOCK-byte writes (default 64 KiB:
// a buffered logger's flushes, which may end mid-line). Prints {"t0","t1","bytes"} as JSON, with t0 the
// monotonic time (ms) just before the first write and t1 just after the last one.
import { openSync, readSync, writeSync, closeSync } from 'node:fs';

const [src, dst, bytesArg, blockArg] = process.argv.slice(2);
const total = Number(bytesArg);
const block = Number(blockArg ?? 65536);
const now = () => Number(process.hrtime.bigint()) / 1e6;

const input = openSync(src, 'r');
const output = openSync(dst, 'a');
const buf = Buffer.allocUnsafe(block);
let done = 0;
let t0;
while (done < total) {
  const n = readSync(input, buf, 0, Math.min(block, total - done), done);
  if (n === 0) throw new Error(`${src} is shorter than ${total} bytes`);
  t0 ??= now();
  let off = 0;
  while (off < n) off += writeSync(output, buf, off, n - off);
  done += n;
}
const t1 = now();
closeSync(output);
closeSync(input);
process.stdout.write(JSON.stringify({ t0, t1, bytes: done }) + '\n');
