/**
 * The README's library example for shipping, run as written (as ship.mjs in a temp directory that
 * resolves 'tail-async' to this checkout) against both engines.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, readmeExamples } from '../helpers/doc-examples.js';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';
import { skipWithout, startNats, startRedis } from '../helpers/servers.js';
import { jetStreamCount, natsClient, redisClient } from '../helpers/engines.js';

/** The first js block of the README's section "Shipping to Redis and NATS". */
function example(): string {
  const block = readmeExamples().find((e) => e.chapter === 'Shipping to Redis and NATS' && e.lang === 'js');
  if (!block) throw new Error('no js example in the README section');
  return block.code;
}

/** Runs the example with SINK=`sink` over a file of `count` lines; `shipped()` tells when they are all in. */
async function runExample(sink: string, count: number, shipped: () => Promise<boolean>) {
  const dir = await tempDir();
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(ROOT, path.join(dir, 'node_modules', 'tail-async'));
  await writeFile(path.join(dir, 'ship.mjs'), example());
  await writeFile(path.join(dir, 'app.log'), Array.from({ length: count }, (_, i) => `line ${i + 1}\n`).join(''));
  const child = spawn(process.execPath, ['ship.mjs'], { cwd: dir, env: { PATH: process.env.PATH, SINK: sink }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await waitFor(shipped, () => `the example to ship (output: ${out})`, 15_000, 50);
  } finally {
    child.kill('SIGTERM');
  }
  return { status: await exited, out };
}

describe('the README example of shipping', () => {
  it.skipIf(skipWithout('redis-server'))('runs as written against Redis', async () => {
    const server = await startRedis();
    const client = await redisClient(server.socket);
    const result = await runExample(server.url('?stream=logs:{file}'), 1_000, async () => (await client.xlen('logs:app.log')) === 1_000);
    expect(result).toEqual({ status: 0, out: '1000 lines shipped, 0 already there\n' });
  });

  it.skipIf(skipWithout('nats-server'))('runs as written against NATS', async () => {
    const server = await startNats();
    const nc = await natsClient(server.address);
    const result = await runExample(server.url('?subject=logs.{host}.{file}&stream=LOGS'), 300, async () => (await jetStreamCount(nc, 'LOGS').catch(() => 0)) === 300);
    expect(result).toEqual({ status: 0, out: '300 lines shipped, 0 already there\n' });
  });
});
