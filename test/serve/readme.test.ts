/** The README's library example for --serve, run as written (port 0 instead of 8080), in a temp directory resolving 'tail-async' to this checkout. */
import { readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';
import { connectSse } from '../helpers/sse.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

it("runs the README's serve() example: the page's stream has the file's last lines; SIGINT closes everything", async () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## A live view in the browser')))![1]!;
  expect(block).toContain('port: 8080');
  const dir = await tempDir();
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(ROOT, path.join(dir, 'node_modules', 'tail-async'));
  await writeFile(path.join(dir, 'example.mjs'), block.replace('port: 8080', 'port: 0'));
  await writeFile(path.join(dir, 'app.log'), 'one\ntwo\n');
  const child = spawn(process.execPath, ['example.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await waitFor(() => /open http:\/\/127\.0\.0\.1:\d+\/\n/.test(out), () => `the URL (output: ${out})`, 10_000);
    const page = await connectSse(new URL('events', /open (\S+)/.exec(out)![1]!).href);
    await waitFor(() => page.lines().length === 2, 'two lines');
    expect(page.lines().map(([, t]) => t)).toEqual(['one', 'two']);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await page.ended;
  } finally {
    child.kill('SIGKILL');
  }
});
