import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Ledger } from '../../src/checkpoint/ledger.js';
import type { Origin } from '../../src/sources/resume.js';
import { tempDir } from '../helpers/fs.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Ledger retention', () => {
  it('drops, while running, an entry whose file has been gone for longer than the retention period', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'one\ntwo\n');
    const state = path.join(dir, 'state.json');
    const day = 24 * 3600 * 1000;
    const now = Date.now();
    const gone = { path: path.join(dir, 'gone.log'), dev: 1, ino: 1, offset: 4, line: 2, headLength: 0, headHash: 'x', tailLength: 0, tailHash: 'x', seen: now - 6 * day };
    await writeFile(state, JSON.stringify({ version: 1, entries: [gone] }));
    const ledger = await Ledger.load(state, (error) => {
      throw error;
    });
    const handle = await open(file, 'r');
    try {
      const st = await handle.stat();
      const origin: Origin = { source: file, dev: st.dev, ino: st.ino, born: st.birthtimeMs, use: (fn) => fn(handle.fd) };
      ledger.record(origin, { offset: 4, line: 2 });
      await ledger.save();
      // Six days old: still kept.
      expect(JSON.parse(await readFile(state, 'utf8')).entries.map((e: { path: string }) => e.path).sort()).toEqual([file, gone.path].sort());
      // Two days later, in the same run: gone for eight days, it is forgotten; the followed file is not.
      vi.spyOn(Date, 'now').mockReturnValue(now + 2 * day);
      ledger.record(origin, { offset: 8, line: 3 });
      await ledger.save();
      const entries = JSON.parse(await readFile(state, 'utf8')).entries;
      expect(entries.map((e: { path: string }) => e.path)).toEqual([file]);
      expect(entries[0]).toMatchObject({ offset: 8, line: 3, seen: now + 2 * day });
    } finally {
      await handle.close();
    }
  });
});
