import { spawn } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';

describe('fairness', () => {
  it('shows a line of a quiet file within 100 ms while another file is appended to at full speed', async () => {
    const dir = await tempDir();
    const busy = path.join(dir, 'busy.log');
    const quiet = path.join(dir, 'quiet.log');
    await writeFile(busy, '');
    await writeFile(quiet, '');
    const stream = tail([busy, quiet], { start: { lines: 0 } });
    await stream.open();
    const writer = spawn(process.execPath, [
      '-e',
      // As fast as the disk takes it, yielding between blocks so that it does not also monopolise a CPU.
      `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a'); const block = ('x'.repeat(99) + '\\n').repeat(2000);
       const end = Date.now() + 3000; const step = () => { fs.writeSync(fd, block); if (Date.now() < end) setImmediate(step); }; step();`,
      busy,
    ]);
    const seen = new Map<string, number>();
    let busyLines = 0;
    const loop = (async () => {
      for await (const batch of stream.batches()) {
        if (batch[0]!.source === busy) busyLines += batch.length;
        else for (const line of batch) seen.set(line.text, performance.now());
      }
    })();
    try {
      await waitFor(() => busyLines > 10_000, 'the busy file to be read');
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        // Timed from when the write returned: under the busy writer the write itself can take a while.
        await appendFile(quiet, `quiet ${i}\n`);
        const written = performance.now();
        await waitFor(() => seen.has(`quiet ${i}`), `quiet line ${i}`, 2_000);
        latencies.push(seen.get(`quiet ${i}`)! - written);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(writer.exitCode).toBeNull(); // the busy writer was still at it throughout
      expect(Math.max(...latencies)).toBeLessThan(100);
    } finally {
      writer.kill();
      await stream.close();
      await loop;
    }
  }, 20_000);
});
