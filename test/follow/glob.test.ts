import { appendFile, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { fdsUnder, tempDir } from '../helpers/fs.js';
import { collect, waitFor } from '../helpers/wait.js';
import { runCli } from '../helpers/cli.js';

describe('glob patterns', () => {
  it('follows every matching file and picks up files that start matching later, from their start', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'a1\na2\n');
    await writeFile(path.join(dir, 'b.log'), 'b1\n');
    await writeFile(path.join(dir, 'skip.txt'), 'no\n');
    const stream = tail(path.join(dir, '*.log'), { start: { lines: 1 } });
    await stream.open();
    const out = collect(stream);
    try {
      await out.until(2);
      expect(out.lines.map((l) => `${path.basename(l.source)}:${l.text}`)).toEqual(['a.log:a2', 'b.log:b1']);
      await writeFile(path.join(dir, 'c.log'), 'c1\nc2\n');
      await out.until(4, 1_000);
      expect(out.texts().slice(2)).toEqual(['c1', 'c2']);
      await appendFile(path.join(dir, 'a.log'), 'a3\n');
      await out.until(5);
      expect(out.texts()[4]).toBe('a3');
    } finally {
      await out.stop();
    }
  });

  it('without file system events (poll mode), picks up a new matching file within the poll interval', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'a1\n');
    const stream = tail(path.join(dir, '*.log'), { poll: true, pollInterval: 500 });
    await stream.open();
    const out = collect(stream);
    try {
      await out.until(1);
      await writeFile(path.join(dir, 'b.log'), 'b1\n');
      const created = Date.now();
      await out.until(2, 1_000);
      expect(out.lines.map((l) => `${path.basename(l.source)}:${l.text}`)).toEqual(['a.log:a1', 'b.log:b1']);
      console.info(`poll mode: new file picked up after ${Date.now() - created} ms`);
    } finally {
      await out.stop();
    }
  });

  it('matches ** through directories, including ones created later', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'x', 'y'), { recursive: true });
    await writeFile(path.join(dir, 'x', 'y', 'deep.log'), 'deep\n');
    const stream = tail(path.join(dir, '**', '*.log'));
    await stream.open();
    const out = collect(stream);
    try {
      await out.until(1);
      await mkdir(path.join(dir, 'later', 'still'), { recursive: true });
      await writeFile(path.join(dir, 'later', 'still', 'new.log'), 'new\n');
      await out.until(2, 1_500);
      expect(out.lines.map((l) => path.relative(dir, l.source))).toEqual(['x/y/deep.log', 'later/still/new.log']);
    } finally {
      await out.stop();
    }
  });

  it('releases a matched file once it is deleted, and finds it again if it comes back', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a.log');
    await writeFile(file, 'one\n');
    const stream = tail(path.join(dir, '*.log'), { rotateWait: 50 });
    await stream.open();
    const out = collect(stream);
    try {
      await out.until(1);
      await unlink(file);
      await waitFor(() => fdsUnder(dir).length === 0, 'the deleted file to be released');
      await writeFile(file, 'two\n');
      await out.until(2);
      expect(out.texts()).toEqual(['one', 'two']);
    } finally {
      await out.stop();
    }
  });

  it('holds nothing more after files and directories have come and gone: descriptors, watchers, timers', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'keep.log'), 'keep\n');
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const stream = tail(path.join(dir, '**', '*.log'), { rotateWait: 20 });
    await stream.open();
    const out = collect(stream);
    try {
      await out.until(1);
      const watchers = count('FSEventWrap');
      const timers = count('Timeout');
      for (let i = 0; i < 60; i++) {
        const sub = path.join(dir, `sub-${i}`);
        await mkdir(sub);
        await writeFile(path.join(sub, 'x.log'), `line ${i}\n`);
        await out.until(i + 2);
        await rm(sub, { recursive: true });
      }
      expect(out.texts().slice(1)).toEqual(Array.from({ length: 60 }, (_, i) => `line ${i}`));
      const keep = path.join(dir, 'keep.log');
      await waitFor(() => fdsUnder(dir).join() === keep && count('FSEventWrap') === watchers, 'every file and directory watch of the gone files released');
      await waitFor(() => count('Timeout') <= timers, `timers back to ${timers} (now ${count('Timeout')})`);
      await appendFile(path.join(dir, 'keep.log'), 'still followed\n');
      await out.until(62);
    } finally {
      await out.stop();
    }
  }, 20_000);

  it('without follow, reads the matches once and ends; a pattern matching nothing is an error', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'a\n');
    const texts: string[] = [];
    for await (const line of tail(path.join(dir, '*.log'), { follow: false })) texts.push(line.text);
    expect(texts).toEqual(['a']);
    await expect(
      (async () => {
        for await (const _ of tail(path.join(dir, '*.nope'), { follow: false }));
      })(),
    ).rejects.toMatchObject({ code: 'ENOENT', message: `no file matches '${path.join(dir, '*.nope')}'` });
  });

  it('says that a pattern matches nothing, in the command too (not that it cannot be opened)', async () => {
    const dir = await tempDir();
    const pattern = path.join(dir, 'logs', '*.log');
    const result = await runCli(['--no-follow', pattern]);
    expect(result).toMatchObject({ status: 1, stderr: `tail-async: no file matches '${pattern}'\n` });
    // Following, it is said once, and a file that comes to match is followed.
    const notices: string[] = [];
    const stream = tail(pattern, { onNotice: (n) => notices.push(`${n.type}: ${n.message}`) });
    await stream.open();
    const out = collect(stream);
    try {
      expect(notices).toEqual([`error: no file matches '${pattern}'`]);
      await mkdir(path.join(dir, 'logs'));
      await writeFile(path.join(dir, 'logs', 'a.log'), 'a1\n');
      await out.until(1);
      expect(out.texts()).toEqual(['a1']);
    } finally {
      await out.stop();
    }
  });

  it('matches as the shell does: braces across directories, nested braces, ranges, POSIX classes, extglobs', async () => {
    const dir = await tempDir();
    for (const sub of ['x', 'x/b', 'y']) await mkdir(path.join(dir, sub), { recursive: true });
    for (const file of ['x/a.log', 'x/b/c.log', 'x/b.log', 'y/app7.log', 'y/app12.log', 'y/app13.log', 'y/db.log', 'y/.db.log']) {
      await writeFile(path.join(dir, file), `${file}\n`);
    }
    const read = async (pattern: string) => {
      const texts: string[] = [];
      for await (const line of tail(path.join(dir, pattern), { follow: false, start: { fromLine: 1 } })) texts.push(line.text);
      return texts.sort();
    };
    expect(await read('x/{a,b/c}.log')).toEqual(['x/a.log', 'x/b/c.log']);
    expect(await read('{x/{a,b},y/db}.log')).toEqual(['x/a.log', 'x/b.log', 'y/db.log']);
    expect(await read('y/app{1..12}.log')).toEqual(['y/app12.log', 'y/app7.log']);
    expect(await read('y/app[[:digit:]].log')).toEqual(['y/app7.log']);
    expect(await read('y/@(db|app7).log')).toEqual(['y/app7.log', 'y/db.log']);
    expect(await read('y/!(app*).log')).toEqual(['y/db.log']);
  });

  it('treats a path with wildcard characters as a plain file when that file exists', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'odd[1].log'), 'literal\n');
    await writeFile(path.join(dir, 'odd1.log'), 'pattern match\n');
    const texts: string[] = [];
    for await (const line of tail(path.join(dir, 'odd[1].log'), { follow: false })) texts.push(line.text);
    expect(texts).toEqual(['literal']);
  });
});

describe('stop()', () => {
  it('reads what is there, including a held partial line, then ends', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'a\nb');
    const stream = tail(file);
    const out = collect(stream);
    await out.until(1);
    stream.stop();
    await waitFor(() => out.lines.length === 2 && out.error() === undefined, 'the held line');
    await out.stop();
    expect(out.lines.map((l) => [l.text, l.eol])).toEqual([
      ['a', '\n'],
      ['b', ''],
    ]);
  });
});
