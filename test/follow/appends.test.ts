import { appendFile, mkdir, open, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { collect, waitFor } from '../helpers/wait.js';

describe('following appends', () => {
  it('shows the last line of every burst with no later write to wake it, long before the safety poll', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    // With the safety poll an hour away, only the watcher can bring each burst's last line in time.
    // (How soon it comes is measured by the bench's latency workload, not asserted here.)
    const stream = tail(file, { start: { lines: 0 }, pollInterval: 3_600_000 });
    await stream.open();
    const out = collect(stream);
    const writer = await open(file, 'a');
    try {
      for (let burst = 0; burst < 20; burst++) {
        // Three writes 1 ms apart, then silence: chokidar alone would leave the last one unread.
        for (let i = 0; i < 3; i++) {
          await writer.write(`b${burst}-${i}\n`);
          if (i < 2) await new Promise((r) => setTimeout(r, 1));
        }
        await waitFor(() => out.texts().includes(`b${burst}-2`), `last line of burst ${burst}`, 10_000);
      }
      expect(out.texts()).toEqual(Array.from({ length: 20 }, (_, b) => [0, 1, 2].map((i) => `b${b}-${i}`)).flat());
    } finally {
      await writer.close();
      await out.stop();
    }
  });

  it('holds a partial line until its newline arrives', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const out = collect(tail(file));
    try {
      await appendFile(file, 'abc');
      await appendFile(file, 'x\nnext');
      await out.until(1);
      expect(out.texts()).toEqual(['abcx']);
      // 'next' has no newline yet: it must not come out, however long we look.
      await appendFile(file, '');
      await new Promise((r) => setTimeout(r, 150));
      expect(out.texts()).toEqual(['abcx']);
      await appendFile(file, 'def\n');
      await out.until(2);
      expect(out.lines[1]).toMatchObject({ text: 'nextdef', offset: 5, end: 13, lineNumber: 2, eol: '\n' });
    } finally {
      await out.stop();
    }
  });

  it('flushes a held partial line when a no-follow read ends', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'one\ntwo');
    const lines = [];
    for await (const line of tail(file, { follow: false })) lines.push(line);
    expect(lines.map((l) => [l.text, l.eol])).toEqual([
      ['one', '\n'],
      ['two', ''],
    ]);
  });

  it('keeps a multi-byte character intact when its bytes arrive in two writes', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const stream = tail(file);
    const out = collect(stream);
    try {
      const text = 'prix: 10 € — 🚀 fin';
      const bytes = Buffer.from(text + '\n');
      for (const cut of [bytes.indexOf(0xe2) + 1, bytes.indexOf(0xf0) + 2]) {
        await appendFile(file, bytes.subarray(0, cut));
        // The first half read and held (a partial line), so the character is really split between two reads.
        await waitFor(() => stream.bufferedBytes === cut, () => `the first ${cut} bytes to be read (held: ${stream.bufferedBytes})`);
        await appendFile(file, bytes.subarray(cut));
      }
      await out.until(2);
      expect(out.texts()).toEqual([text, text]);
    } finally {
      await out.stop();
    }
  });

  it('reads CRLF lines without the CR and NUL bytes as part of the text', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const out = collect(tail(file));
    try {
      await appendFile(file, 'win\r\nnul\0inside\nlone\rcr\n');
      await out.until(3);
      expect(out.lines.map((l) => [l.text, l.eol])).toEqual([
        ['win', '\r\n'],
        ['nul\0inside', '\n'],
        ['lone\rcr', '\n'],
      ]);
    } finally {
      await out.stop();
    }
  });

  it('reads a 1 MiB line written in pieces as one line', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const out = collect(tail(file));
    try {
      const big = 'x'.repeat(1024 * 1024);
      for (let i = 0; i < big.length; i += 256 * 1024) await appendFile(file, big.slice(i, i + 256 * 1024));
      await appendFile(file, '\nafter\n');
      await out.until(2);
      expect(out.lines[0]!.text.length).toBe(1024 * 1024);
      expect(out.lines[0]!.text).toBe(big);
      expect(out.lines[1]).toMatchObject({ text: 'after', offset: 1024 * 1024 + 1 });
    } finally {
      await out.stop();
    }
  });

  it('frames on NUL with the NUL delimiter, like tail -z', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'a\nb\0c\0');
    const texts: string[] = [];
    for await (const line of tail(file, { follow: false, delimiter: '\0', start: { lines: 1 } })) texts.push(line.text);
    expect(texts).toEqual(['c']);
  });

  it.each([
    ['by name, through a symbolic link to a file in another directory', 'name'],
    ['by descriptor', 'descriptor'],
  ] as const)('sees appends at once when following %s, not only at the safety poll', async (_how, follow) => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'pods'));
    await mkdir(path.join(dir, 'containers'));
    const real = path.join(dir, 'pods', 'app-0.log');
    const link = path.join(dir, 'containers', 'app.log');
    await writeFile(real, '');
    await symlink(real, link);
    const stream = tail(follow === 'name' ? link : real, { follow, pollInterval: 60_000 });
    await stream.open();
    const out = collect(stream);
    try {
      await appendFile(real, 'first\n');
      await out.until(1, 1_000);
      await appendFile(real, 'second\n');
      await out.until(2, 1_000);
      expect(out.texts()).toEqual(['first', 'second']);
    } finally {
      await out.stop();
    }
  });
});
