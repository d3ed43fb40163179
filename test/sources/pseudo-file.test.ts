/** Files whose size says nothing of their content (/proc, /sys) are read as streams, in the library too. */
import { readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { hasNotionalSize } from '../../src/sources/pseudo-file.js';
import { tempDir } from '../helpers/fs.js';

describe('hasNotionalSize', () => {
  it('tells /proc and /sys files (size 0 or a page) from regular files, whose size is trusted', async () => {
    const dir = await tempDir();
    const empty = path.join(dir, 'empty');
    await writeFile(empty, '');
    const check = (file: string) => hasNotionalSize(file, statSync(file));
    expect(await check('/proc/version')).toBe(true);
    expect(await check('/sys/kernel/profiling')).toBe(true);
    expect(await check(empty)).toBe(false);
    expect(await check('/proc')).toBe(false);
  });
});

describe('a /proc file', () => {
  const version = readFileSync('/proc/version', 'latin1');

  it('gives its last bytes and lines, though its size is 0', async () => {
    const lines: string[] = [];
    for await (const line of tail('/proc/version', { follow: false, start: { bytes: 3 } })) lines.push(line.text + line.eol);
    expect(lines.join('')).toBe(version.slice(-3));
    const last: string[] = [];
    for await (const line of tail('/proc/kallsyms', { follow: false, start: { lines: 2 } })) last.push(line.text);
    expect(last).toHaveLength(2);
  });

  it('followed, is read once and ends when stopped', async () => {
    const stream = tail('/proc/version', { start: { lines: 1 }, pollInterval: 20 });
    const texts: string[] = [];
    for await (const line of stream) {
      texts.push(line.text);
      stream.stop();
    }
    expect(texts).toEqual([version.replace(/\n$/, '')]);
  });
});
