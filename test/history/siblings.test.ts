import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSiblingOfAny, rotatedSiblings, rotationOf } from '../../src/history/siblings.js';
import { tempDir } from '../helpers/fs.js';

describe('rotationOf', () => {
  it.each([
    ['app.log.1', { key: { kind: 'number', n: 1 }, storage: 'plain' }],
    ['app.log.12.gz', { key: { kind: 'number', n: 12 }, storage: 'gzip' }],
    ['app.log.3.zst', { key: { kind: 'number', n: 3 }, storage: 'zstd' }],
    ['app.log.2.bz2', { key: { kind: 'number', n: 2 }, storage: undefined }],
    ['app.log-20261201', { key: { kind: 'date', digits: '20261201' }, storage: 'plain' }],
    ['app.log-20261201.gz', { key: { kind: 'date', digits: '20261201' }, storage: 'gzip' }],
    ['app.log-2026120113', { key: { kind: 'date', digits: '2026120113' }, storage: 'plain' }],
    ['app.log-2026-12-01', { key: { kind: 'date', digits: '20261201' }, storage: 'plain' }],
    ['app.log-1796100000.gz', { key: { kind: 'date', digits: '1796100000' }, storage: 'gzip' }],
    ['app.log.2026-12-01_13-00', { key: { kind: 'date', digits: '202612011300' }, storage: 'plain' }],
  ])('reads %s as a rotated form of app.log', (entry, expected) => {
    expect(rotationOf('app.log', entry)).toEqual(expected);
  });

  it.each(['app.log', 'app.log.', 'app.log.old', 'app.log-1', 'app.log.1.2', 'app.log.1-', 'app.logx.1', 'other.log.1', 'app.log.gz', 'app.log-2026-12-'])(
    'does not take %s for a rotated form of app.log',
    (entry) => {
      expect(rotationOf('app.log', entry)).toBeUndefined();
    },
  );
});

describe('rotatedSiblings', () => {
  /** Creates `names` in a fresh directory, each with the modification time given (s since epoch). */
  async function dirWith(files: Record<string, number>): Promise<string> {
    const dir = await tempDir();
    for (const [name, mtime] of Object.entries(files)) {
      writeFileSync(path.join(dir, name), name);
      utimesSync(path.join(dir, name), mtime, mtime);
    }
    return dir;
  }
  const order = (dir: string) => rotatedSiblings(path.join(dir, 'app.log')).map((s) => path.basename(s.path));

  it('orders numbered siblings by their number, the highest first, whatever their times say', async () => {
    const dir = await dirWith({ 'app.log': 9, 'app.log.1': 1, 'app.log.2.gz': 5, 'app.log.10.gz': 7, 'app.log.3.gz': 3 });
    expect(order(dir)).toEqual(['app.log.10.gz', 'app.log.3.gz', 'app.log.2.gz', 'app.log.1']);
  });

  it('orders dated siblings of one format by their date, whatever their times say', async () => {
    const dir = await dirWith({ 'app.log-20261130.gz': 5, 'app.log-20261201': 1, 'app.log-20260101.gz': 9 });
    expect(order(dir)).toEqual(['app.log-20260101.gz', 'app.log-20261130.gz', 'app.log-20261201']);
  });

  it('orders dated siblings of several formats by modification time (their digits do not compare)', async () => {
    const dir = await dirWith({ 'app.log-2026113023': 3, 'app.log-20261201.gz': 5, 'app.log-1796100000': 4 });
    expect(order(dir)).toEqual(['app.log-2026113023', 'app.log-1796100000', 'app.log-20261201.gz']);
  });

  it('merges numbered and dated siblings by modification time, each kind keeping its own order', async () => {
    const dir = await dirWith({ 'app.log.2.gz': 1, 'app.log.1': 2, 'app.log-20261130.gz': 3, 'app.log-20261201': 4 });
    expect(order(dir)).toEqual(['app.log.2.gz', 'app.log.1', 'app.log-20261130.gz', 'app.log-20261201']);
  });

  it('leaves out directories, other names and the file itself', async () => {
    const dir = await dirWith({ 'app.log': 1, 'app.log.old': 1, 'other.log.1': 1, 'app.log.1': 1 });
    mkdirSync(path.join(dir, 'app.log.2'));
    expect(order(dir)).toEqual(['app.log.1']);
  });

  it('is empty for a directory that cannot be read', () => {
    expect(rotatedSiblings('/nonexistent-dir-of-tail-async/app.log')).toEqual([]);
  });
});

describe('isSiblingOfAny', () => {
  it('tells a rotated form of a name in the same directory', () => {
    expect(isSiblingOfAny('logs/app.log.1.gz', ['logs/app.log', 'logs/err.log'])).toBe(true);
    expect(isSiblingOfAny('logs/app.log', ['logs/app.log', 'logs/err.log'])).toBe(false);
    expect(isSiblingOfAny('other/app.log.1', ['logs/app.log'])).toBe(false);
  });
});
