import { spawn } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

describe('fairness', () => {
  it('shows the lines of a quiet file while another file is appended to at full speed, and goes on reading that one', async () => {
    const dir = await tempDir();
    const busy = path.join(dir, 'busy.log');
    const quiet = path.join(dir, 'quiet.log');
    await writeFile(busy, '');
    await writeFile(quiet, '');
    const stream = tail([busy, quiet], { start: { lines: 0 } });
    await stream.open();
    const writer = spawn(process.execPath, [
      '-e',
      // As fast as the disk takes it, yielding between blocks so that it does not also monopolise a CPU,
      // until it is killed (20 s at most).
      `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a'); const block = ('x'.repeat(99) + '\\n').repeat(2000);
       const end = Date.now() + 20000; const step = () => { fs.writeSync(fd, block); if (Date.now() < end) setImmediate(step); }; step();`,
      busy,
    ]);
    const seen = new Set<string>();
    let busyLines = 0;
    const loop = (async () => {
      for await (const batch of stream.batches()) {
        if (batch[0]!.source === busy) busyLines += batch.length;
        else for (const line of batch) seen.add(line.text);
      }
    })();
    try {
      await waitFor(() => busyLines > 10_000, 'the busy file to be read');
      for (let i = 0; i < 5; i++) {
        await appendFile(quiet, `quiet ${i}\n`);
        await waitFor(() => seen.has(`quiet ${i}`), `quiet line ${i}`, 10_000);
        expect(writer.exitCode).toBeNull(); // the busy writer was still at it
        const before = busyLines;
        await waitFor(() => busyLines > before, 'the busy file to be read on', 10_000);
      }
      // (How soon a line comes is measured by the bench's latency workload, not asserted here.)
    } finally {
      writer.kill();
      await stream.close();
      await loop;
    }
  }, 20_000);
});
