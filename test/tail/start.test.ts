import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, TailError, type Notice, type TailOptions } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { collect } from '../helpers/wait.js';

async function read(file: string | string[], options: TailOptions = {}): Promise<string> {
  let out = '';
  for await (const line of tail(file, { follow: false, ...options })) out += line.text + line.eol;
  return out;
}

const gnu = (args: string[]) => spawnSync('tail', args, { encoding: 'utf8' }).stdout;

describe('start position', () => {
  it.each([
    ['the last 10 lines by default', {}, []],
    ['the last 3 lines', { start: { lines: 3 } }, ['-n', '3']],
    ['nothing with lines: 0', { start: { lines: 0 } }, ['-n', '0']],
    ['from line 5', { start: { fromLine: 5 } }, ['-n', '+5']],
    ['the last 7 bytes', { start: { bytes: 7 } }, ['-c', '7']],
    ['from byte 12', { start: { fromByte: 12 } }, ['-c', '+12']],
  ] as const)('reads %s, as GNU tail does', async (_name, options, args) => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join('\n') + '\nno newline');
    expect(await read(file, options as TailOptions)).toBe(gnu([...args, file]));
  });

  it('numbers lines from the true line number when reading from a line', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'a\nb\nc\nd\n');
    const numbers: number[] = [];
    for await (const line of tail(file, { follow: false, start: { fromLine: 3 } })) numbers.push(line.lineNumber);
    expect(numbers).toEqual([3, 4]);
  });

  it('finds the last lines of a 3 GiB file by reading backwards from its end', async () => {
    const file = path.join(await tempDir(), 'big.log');
    const size = 3 * 1024 * 1024 * 1024;
    await writeFile(file, 'first\n');
    await truncate(file, size); // sparse: no disk used, offsets past 2^31
    await appendFile(file, '\nlast 1\nlast 2\n');
    const lines = [];
    for await (const line of tail(file, { follow: false, start: { lines: 2 } })) lines.push(line);
    expect(lines.map((l) => [l.text, l.offset, l.end])).toEqual([
      ['last 1', size + 1, size + 8],
      ['last 2', size + 8, size + 15],
    ]);
  });

  it('reads several files one after the other, each from its own start', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a.log');
    const b = path.join(dir, 'b.log');
    await writeFile(a, 'a1\na2\na3\n');
    await writeFile(b, 'b1\nb2\nb3\n');
    const lines = [];
    for await (const line of tail([a, b], { follow: false, start: { lines: 2 } })) lines.push(`${path.basename(line.source)}:${line.text}`);
    expect(lines).toEqual(['a.log:a2', 'a.log:a3', 'b.log:b2', 'b.log:b3']);
  });

  it('starts a file that appears later from its first byte, whatever the start option', async () => {
    const file = path.join(await tempDir(), 'app.log');
    const stream = tail(file, { start: { lines: 1 } });
    await stream.open();
    const out = collect(stream);
    try {
      await writeFile(file, 'one\ntwo\n');
      await out.until(2);
      expect(out.texts()).toEqual(['one', 'two']);
    } finally {
      await out.stop();
    }
  });
});

describe('files that cannot be read', () => {
  it('without follow, reads the other files and then throws naming the missing one', async () => {
    const dir = await tempDir();
    const good = path.join(dir, 'good.log');
    const missing = path.join(dir, 'missing.log');
    await writeFile(good, 'ok\n');
    const notices: Notice[] = [];
    const texts: string[] = [];
    const error = await (async () => {
      for await (const line of tail([missing, good], { follow: false, onNotice: (n) => notices.push(n) })) texts.push(line.text);
    })().then(() => undefined, (e: unknown) => e);
    expect(texts).toEqual(['ok']);
    expect(error).toBeInstanceOf(TailError);
    expect(error).toMatchObject({ code: 'ENOENT', source: missing, message: `cannot open '${missing}' for reading: No such file or directory` });
    expect(notices.map((n) => n.message)).toEqual([`cannot open '${missing}' for reading: No such file or directory`]);
  });

  it('reports a directory as GNU does and, unless it follows the name, gives it up', async () => {
    const dir = await tempDir();
    const sub = path.join(dir, 'sub');
    await mkdir(sub);
    await expect(read(sub)).rejects.toMatchObject({ code: 'EISDIR', message: `error reading '${sub}': Is a directory` });
    await expect(read(sub, { follow: 'descriptor' })).rejects.toMatchObject({ code: 'EISDIR' });
    // Followed by name, it waits for a file to take the name (test/follow/faults.test.ts).
  });

  it.each([
    [{ start: { lines: -1 } }, /start must be/],
    [{ start: { lines: 1, bytes: 2 } }, /start must be/],
    [{ follow: 'yes' }, /follow must be/],
    [{ maxLineBytes: 0 }, /maxLineBytes must be/],
    [{ pollInterval: 1.5 }, /pollInterval must be/],
    [{ delimiter: '\r' }, /delimiter must be/],
  ])('rejects the bad option %j with a message naming it', (options, message) => {
    expect(() => tail('x', options as unknown as TailOptions)).toThrow(message);
  });
});
