/**
 * Standard input that is a regular file (`tail < app.log`), through the library's `tail('-')` in a child
 * process whose standard input is the file, left where a caller left it: read by position from that
 * offset, its last lines without reading what comes before them, and followed by descriptor.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';

const INDEX = pathToFileURL(path.resolve('dist/index.js')).href;

/**
 * Runs `tail('-', options)` in a child whose standard input is `file`, `at` bytes of it already read;
 * resolves to the texts it yielded and how many bytes the child read meanwhile (/proc/self/io).
 */
async function tailStdin(file: string, options: object, at = 0): Promise<{ texts: string[]; read: number }> {
  const script = `
    import { readFileSync } from 'node:fs';
    import { tail } from ${JSON.stringify(INDEX)};
    const rchar = () => Number(/rchar:\\s+(\\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
    const before = rchar();
    const texts = [];
    for await (const line of tail('-', ${JSON.stringify(options)})) texts.push(line.text);
    process.stdout.write(JSON.stringify({ texts, read: rchar() - before }));
  `;
  const fd = openSync(file, 'r');
  if (at > 0) readSync(fd, Buffer.alloc(at), 0, at, null);
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: [fd, 'pipe', 'pipe'] });
  closeSync(fd);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(err).toBe('');
  expect(status).toBe(0);
  return JSON.parse(out) as { texts: string[]; read: number };
}

describe("standard input that is a regular file (tail('-'))", () => {
  it('gives its last lines without reading what comes before them', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'big.log');
    const size = 20 * 1024 * 1024;
    const line = 'x'.repeat(99);
    writeFileSync(file, `${Array.from({ length: size / 100 - 1 }, () => line).join('\n')}\nlast but one\nthe last\n`);
    const { texts, read } = await tailStdin(file, { follow: false, start: { lines: 2 } });
    expect(texts).toEqual(['last but one', 'the last']);
    // A block or two from its end (GNU tail seeks there too), not 20 MB.
    expect(read).toBeLessThan(1024 * 1024);
  });

  it('starts where its caller left it: the last lines and bytes of what is left, never before it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    writeFileSync(file, 'one\ntwo\nthree\nfour');
    expect((await tailStdin(file, { follow: false, start: { lines: 10 } }, 4)).texts).toEqual(['two', 'three', 'four']);
    expect((await tailStdin(file, { follow: false, start: { lines: 2 } }, 4)).texts).toEqual(['three', 'four']);
    expect((await tailStdin(file, { follow: false, start: { bytes: 7 } }, 4)).texts).toEqual(['ee', 'four']);
    expect((await tailStdin(file, { follow: false, start: { fromLine: 2 } }, 4)).texts).toEqual(['three', 'four']);
    expect((await tailStdin(file, { follow: false }, 6)).texts).toEqual(['o', 'three', 'four']);
    expect((await tailStdin(file, { follow: false, start: { lines: 2 } }, 18)).texts).toEqual([]);
  });
});
