import { appendFile, mkdir, open, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, type Notice } from '../../src/index.js';
import { fdsUnder, tempDir } from '../helpers/fs.js';
import { collect, waitFor } from '../helpers/wait.js';

const numbered = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describe('rotation, truncation and deletion', () => {
  it('reads the old file to the end, including lines written after the rename, then the new file from its first byte', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, '');
    const notices: Notice[] = [];
    const stream = tail(file, { rotateWait: 300, onNotice: (n) => notices.push(n) });
    await stream.open();
    const out = collect(stream);
    const writer = await open(file, 'a');
    try {
      for (const line of numbered('old', 0, 50)) await writer.write(line + '\n');
      await rename(file, `${file}.1`);
      // logrotate `create`: the new file exists, but the writer has not reopened yet.
      await writeFile(file, '');
      for (const line of numbered('old', 50, 100)) await writer.write(line + '\n');
      await writer.close();
      await appendFile(file, numbered('new', 0, 50).join('\n') + '\n');
      await out.until(150);
      expect(out.texts()).toEqual([...numbered('old', 0, 100), ...numbered('new', 0, 50)]);
      expect(out.lines[100]).toMatchObject({ text: 'new0', offset: 0, lineNumber: 1 });
      // Seen between the rename and the create, the name is briefly missing (as GNU reports it too).
      expect([['replaced'], ['inaccessible', 'appeared']]).toContainEqual(notices.map((n) => n.type));
    } finally {
      await out.stop();
    }
  });

  it('polling, sees a new file at the name while the rotated one is still read (not once it is let go)', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    // The rotated file is read on for 30 s after its last growth: the new one must not wait for that.
    const notices: Notice[] = [];
    const stream = tail(file, { poll: true, pollInterval: 50, rotateWait: 30_000, onNotice: (n) => notices.push(n) });
    await stream.open();
    const out = collect(stream);
    try {
      await appendFile(file, 'old\n');
      await out.until(1);
      // Quiet for a while (past the re-check that follows a read), as a log between two rotations.
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Away to a name that is no rotated form of it (app.log.1 would be looked after on its own).
      await rename(file, path.join(path.dirname(file), 'kept.tmp'));
      await waitFor(() => notices.some((n) => n.type === 'inaccessible'), 'the rename seen');
      await writeFile(file, 'new\n');
      await out.until(2, 10_000);
      expect(out.texts()).toEqual(['old', 'new']);
    } finally {
      await out.stop();
    }
  });

  it('puts every line of the old file before the new file, even when it sees both at once', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    // Polling, and consuming only once everything is written, so the rotation and the writes to both
    // files are all seen in one look (a consumer reading meanwhile would see them in write order).
    const stream = tail(file, { poll: true, pollInterval: 250, rotateWait: 300 });
    await stream.open();
    const writer = await open(file, 'a');
    let out: ReturnType<typeof collect> | undefined;
    try {
      await writer.write('old 1\n');
      await rename(file, `${file}.1`);
      await writeFile(file, 'new 1\n');
      await writer.write('old 2\n');
      out = collect(stream);
      await out.until(3);
      expect(out.texts()).toEqual(['old 1', 'old 2', 'new 1']);
    } finally {
      await writer.close();
      await (out?.stop() ?? stream.close());
    }
  });

  it('keeps reading the old file after it noticed the rotation, while the writer still holds it', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const notices: Notice[] = [];
    const stream = tail(file, { rotateWait: 1_000, onNotice: (n) => notices.push(n) });
    await stream.open();
    const out = collect(stream);
    const writer = await open(file, 'a');
    try {
      await writer.write('old 1\n');
      await out.until(1);
      await rename(file, `${file}.1`);
      await writeFile(file, 'new 1\n');
      await out.until(2);
      expect(notices.length).toBeGreaterThan(0);
      // The engine has moved on to the new file; the writer has not reopened yet.
      await writer.write('old 2\n');
      await out.until(3);
      expect(out.texts()).toEqual(['old 1', 'new 1', 'old 2']);
    } finally {
      await writer.close();
      await out.stop();
    }
  });

  it('loses nothing across two rotations in quick succession', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, '');
    const stream = tail(file, { rotateWait: 300 });
    await stream.open();
    const out = collect(stream);
    try {
      const expected: string[] = [];
      for (let gen = 0; gen < 3; gen++) {
        const lines = numbered(`g${gen}-`, 0, 200);
        expected.push(...lines);
        await appendFile(file, lines.join('\n') + '\n');
        if (gen < 2) {
          await rename(file, `${file}.${gen}`);
          await writeFile(file, '');
        }
      }
      await out.until(expected.length);
      expect(out.texts()).toEqual(expected);
    } finally {
      await out.stop();
    }
  });

  it('reads a file again from 0 after copytruncate, with a truncated notice', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, numbered('a', 0, 20).join('\n') + '\n');
    const notices: Notice[] = [];
    const stream = tail(file, { start: { fromLine: 1 }, onNotice: (n) => notices.push(n) });
    const out = collect(stream);
    try {
      await out.until(20);
      await truncate(file, 0);
      await waitFor(() => notices.some((n) => n.type === 'truncated'), 'truncated notice');
      await appendFile(file, 'b0\nb1\n');
      await out.until(22);
      expect(out.texts().slice(20)).toEqual(['b0', 'b1']);
      expect(out.lines[20]).toMatchObject({ offset: 0, lineNumber: 1 });
      expect(notices.find((n) => n.type === 'truncated')?.message).toBe(`${file}: file truncated`);
    } finally {
      await out.stop();
    }
  });

  it('notices a file truncated and rewritten past the old offset before it looked, by its first bytes', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'first generation line 1\nfirst generation line 2\n');
    const notices: Notice[] = [];
    // Poll only, slowly: the rewrite happens between two looks, so size alone shows only growth.
    const stream = tail(file, { start: { fromLine: 1 }, poll: true, pollInterval: 300, onNotice: (n) => notices.push(n) });
    const out = collect(stream);
    try {
      await out.until(2);
      const rewritten = numbered('second-', 0, 10).join('\n') + '\n';
      expect(rewritten.length).toBeGreaterThan(48);
      await writeFile(file, rewritten);
      await out.until(12);
      expect(out.texts().slice(2)).toEqual(numbered('second-', 0, 10));
      expect(notices.map((n) => n.type)).toEqual(['truncated']);
    } finally {
      await out.stop();
    }
  });

  it('drains a deleted file, then releases its handle after the grace period, and follows a re-created file from 0', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, '');
    const notices: Notice[] = [];
    const stream = tail(file, { rotateWait: 200, onNotice: (n) => notices.push(n) });
    await stream.open();
    const out = collect(stream);
    const writer = await open(file, 'a');
    try {
      await writer.write('before\n');
      await unlink(file);
      await writer.write('after delete\n');
      await writer.close();
      await out.until(2);
      await waitFor(() => notices.some((n) => n.type === 'deleted'), 'deleted notice');
      // The deleted file's space is freed: no descriptor of ours points at it any more.
      await waitFor(() => fdsUnder(dir).length === 0, 'the deleted file to be released', 3_000);
      await writeFile(file, 'reborn\n');
      await out.until(3);
      expect(out.texts()).toEqual(['before', 'after delete', 'reborn']);
      expect(out.lines[2]).toMatchObject({ offset: 0, lineNumber: 1 });
      expect(notices.map((n) => n.type)).toEqual(['deleted', 'appeared']);
    } finally {
      await out.stop();
    }
  });

  it('emits the unfinished last line of a rotated file when it is released, without holding back the new file', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, '');
    const stream = tail(file, { rotateWait: 100 });
    await stream.open();
    const out = collect(stream);
    try {
      await appendFile(file, 'whole\ndangling');
      await rename(file, `${file}.1`);
      await writeFile(file, 'new\n');
      // The writer may still finish 'dangling' in the old file during the grace period, so it comes out
      // only when the old file is released; the new file's lines are not delayed for it.
      await out.until(3);
      expect(out.lines.map((l) => [l.text, l.eol])).toEqual([
        ['whole', '\n'],
        ['new', '\n'],
        ['dangling', ''],
      ]);
    } finally {
      await out.stop();
    }
  });

  it('follows a file that does not exist yet, in a directory that does not exist yet', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'later', 'deeper', 'app.log');
    const notices: Notice[] = [];
    const stream = tail(file, { onNotice: (n) => notices.push(n) });
    await stream.open();
    const out = collect(stream);
    try {
      expect(notices.map((n) => n.message)).toEqual([`cannot open '${file}' for reading: No such file or directory`]);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'hello\n');
      await out.until(1);
      await appendFile(file, 'world\n');
      await out.until(2);
      expect(out.texts()).toEqual(['hello', 'world']);
      expect(notices.map((n) => n.type)).toEqual(['error', 'appeared']);
    } finally {
      await out.stop();
    }
  });

  it('picks up a file that appears, in well under the safety-poll interval', async () => {
    const file = path.join(await tempDir(), 'app.log');
    const stream = tail(file, { pollInterval: 60_000 });
    await stream.open();
    const out = collect(stream);
    try {
      await writeFile(file, 'hi\n');
      await out.until(1, 1_000);
      expect(out.texts()).toEqual(['hi']);
    } finally {
      await out.stop();
    }
  });

  it('reads through the handle it holds: a file renamed away keeps being read, a stranger at the name is not mixed in', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'mine 1\n');
    const stream = tail(file, { follow: 'descriptor' });
    await stream.open();
    const out = collect(stream);
    try {
      await out.until(1);
      await rename(file, path.join(dir, 'moved.log'));
      await writeFile(file, 'stranger\n');
      await appendFile(path.join(dir, 'moved.log'), 'mine 2\n');
      await out.until(2);
      await appendFile(file, 'stranger 2\n');
      await appendFile(path.join(dir, 'moved.log'), 'mine 3\n');
      await out.until(3);
      expect(out.texts()).toEqual(['mine 1', 'mine 2', 'mine 3']);
    } finally {
      await out.stop();
    }
  });

  it('keeps the same descriptor for a followed file across appends (no re-opening by name)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    await writeFile(file, '');
    const stream = tail(file);
    await stream.open();
    const out = collect(stream);
    try {
      const before = fdsUnder(dir);
      expect(before).toEqual([file]);
      for (let i = 0; i < 20; i++) {
        await appendFile(file, `l${i}\n`);
        await out.until(i + 1);
        expect(fdsUnder(dir)).toEqual(before);
      }
    } finally {
      await out.stop();
    }
  });
});
