import { spawn } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';

const GiB = 1024 * 1024 * 1024;

describe('memory', () => {
  it('does not buffer what a slow consumer has not asked for while a writer appends 1 GB', async () => {
    const file = path.join(await tempDir(), 'big.log');
    await writeFile(file, '');
    // The writer is another process, so its own buffers do not count against ours.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs');
       const line = 'x'.repeat(99) + '\\n';
       const block = Buffer.from(line.repeat(10486)); // ~1 MiB of 100-byte lines
       const fd = fs.openSync(process.argv[1], 'a');
       for (let written = 0; written < ${GiB}; written += block.length) fs.writeSync(fd, block);
       fs.closeSync(fd);`,
      file,
    ]);
    const writerDone = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    const stream = tail(file, { start: { fromLine: 1 } });
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakBuffered = 0;
    let consumed = 0;
    let writerExit: number | null | undefined;
    void writerDone.then((code) => (writerExit = code));
    try {
      for await (const _ of stream) {
        consumed++;
        // One line per millisecond: a thousand times slower than the writer.
        await new Promise((r) => setTimeout(r, 1));
        peakBuffered = Math.max(peakBuffered, stream.bufferedBytes);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (writerExit !== undefined) break;
      }
    } finally {
      writer.kill();
      await stream.close();
    }
    expect(writerExit).toBe(0);
    expect((await stat(file)).size).toBeGreaterThanOrEqual(GiB);
    expect(consumed).toBeLessThan(1_000_000);
    // What is held is one read's worth (≤ 1 MiB) and its lines, never the gigabyte on disk.
    expect(peakBuffered).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(peakRss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  }, 60_000);
});
