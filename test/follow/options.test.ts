import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, type Notice } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { collect } from '../helpers/wait.js';

describe('options', () => {
  it('follows with polling only, using no file system watcher', async () => {
    const file = path.join(await tempDir(), 'nfs.log');
    await writeFile(file, '');
    const watchersBefore = process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
    const stream = tail(file, { poll: true, pollInterval: 50 });
    await stream.open();
    const out = collect(stream);
    try {
      expect(process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length).toBe(watchersBefore);
      await appendFile(file, 'seen by polling\n');
      await out.until(1, 2_000);
      expect(out.texts()).toEqual(['seen by polling']);
    } finally {
      await out.stop();
    }
  });

  it('splits a line longer than maxLineBytes and says so', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'short\n' + 'L'.repeat(25) + '\nafter\n');
    const notices: Notice[] = [];
    const lines = [];
    for await (const line of tail(file, { follow: false, start: { fromLine: 1 }, maxLineBytes: 10, onNotice: (n) => notices.push(n) })) {
      lines.push([line.text, line.eol, line.offset]);
    }
    expect(lines).toEqual([
      ['short', '\n', 0],
      ['LLLLLLLLLL', '', 6],
      ['LLLLLLLLLL', '', 16],
      ['LLLLL', '\n', 26],
      ['after', '\n', 32],
    ]);
    expect(notices.map((n) => n.type)).toEqual(['line-too-long', 'line-too-long']);
  });

  it('truncates a line longer than maxLineBytes when asked to, keeping its end offset', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'L'.repeat(25) + '\nafter\n');
    const lines = [];
    for await (const line of tail(file, { follow: false, maxLineBytes: 10, overlong: 'truncate' })) lines.push([line.text, line.end]);
    expect(lines).toEqual([
      ['LLLLLLLLLL', 26],
      ['after', 32],
    ]);
  });

  it('decodes latin1 when asked to', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const texts: string[] = [];
    for await (const line of tail(file, { follow: false, encoding: 'latin1' })) texts.push(line.text);
    expect(texts).toEqual(['café']);
  });

  it('reports a notice handler that throws as a warning and goes on', async () => {
    const file = path.join(await tempDir(), 'missing', 'app.log');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const stream = tail(file, {
      onNotice: () => {
        throw new Error('handler bug');
      },
    });
    try {
      await stream.open();
      await new Promise((r) => setImmediate(r));
      expect(warnings.some((w) => w.includes('handler bug'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
      await stream.close();
    }
  });
});
