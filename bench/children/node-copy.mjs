// The floor for a Node tailer's catch-up: FILE copied to stdout in 1 MiB reads and writes (synchronous,
// no line framing). The target for tail-async's catch-up rests on this being level with GNU tail.
import { openSync, readSync, writeSync } from 'node:fs';

const fd = openSync(process.argv[2], 'r');
const buf = Buffer.allocUnsafe(1 << 20);
for (let pos = 0; ; ) {
  const n = readSync(fd, buf, 0, buf.length, pos);
  if (n === 0) break;
  for (let off = 0; off < n; ) off += writeSync(1, buf, off, n - off);
  pos += n;
}
