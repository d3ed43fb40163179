/**
 * Rotations made by the real logrotate while tail-async is stopped (a checkpoint), and the history it
 * leaves read with --backfill.
 */
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tail, type Notice } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { skipWithout } from '../helpers/servers.js';
import { logrotate } from '../helpers/logrotate.js';
import { runCli } from '../helpers/cli.js';

/** Lines `from` to `to` (included), as a writer appends them. */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i} ${'x'.repeat((from + i) % 37)}\n`).join('');
const expected = (from: number, to: number) => range(from, to).split('\n').slice(0, -1);

async function setup() {
  const dir = await tempDir();
  const work = await tempDir();
  return { dir, work, file: path.join(dir, 'app.log'), state: path.join(work, 'state.json') };
}

/** One run of a service: every line there is, delivered, then stopped (a clean stop). */
async function run(file: string, state: string): Promise<{ texts: string[]; notices: Notice[] }> {
  const notices: Notice[] = [];
  const texts: string[] = [];
  for await (const line of tail(file, { follow: false, checkpoint: state, start: { fromLine: 1 }, onNotice: (n) => notices.push(n) })) texts.push(line.text);
  return { texts, notices };
}

describe.skipIf(skipWithout('logrotate'))('rotations by logrotate while stopped (state file)', () => {
  it('compress, no delaycompress: the rest of the compressed file, then the new one; every line exactly once', async () => {
    const { dir, work, file, state } = await setup();
    writeFileSync(file, range(1, 300));
    expect((await run(file, state)).texts).toEqual(expected(1, 300));
    appendFileSync(file, range(301, 600));
    logrotate(file, ['compress', 'nocreate'], work);
    expect(readdirSync(dir).sort()).toEqual(['app.log.1.gz']);
    writeFileSync(file, range(601, 700));
    const second = await run(file, state);
    expect(second.texts).toEqual(expected(301, 700));
    expect(second.notices).toEqual([]);
    expect((await run(file, state)).texts).toEqual([]);
  });

  it('compress with create (the new file made by logrotate) and the state file next to the log', async () => {
    const { dir, work, file } = await setup();
    const state = path.join(dir, 'tail.state');
    writeFileSync(file, range(1, 50));
    expect((await run(file, state)).texts).toEqual(expected(1, 50));
    appendFileSync(file, range(51, 80));
    logrotate(file, ['compress', 'create'], work);
    appendFileSync(file, range(81, 90));
    expect((await run(file, state)).texts).toEqual(expected(51, 90));
  });

  it('compress and delaycompress, rotated twice: the file now in .2.gz from where it was, then .1, then the new one', async () => {
    const { dir, work, file, state } = await setup();
    writeFileSync(file, range(1, 200));
    expect((await run(file, state)).texts).toEqual(expected(1, 200));
    appendFileSync(file, range(201, 300));
    logrotate(file, ['compress', 'delaycompress', 'nocreate'], work);
    writeFileSync(file, range(301, 400));
    logrotate(file, ['compress', 'delaycompress', 'nocreate'], work);
    expect(readdirSync(dir).sort()).toEqual(['app.log.1', 'app.log.2.gz']);
    writeFileSync(file, range(401, 450));
    expect((await run(file, state)).texts).toEqual(expected(201, 450));
    expect((await run(file, state)).texts).toEqual([]);
  });

  it('compress and dateext: the file in app.log-DATE.gz, from where it was', async () => {
    const { dir, work, file, state } = await setup();
    writeFileSync(file, range(1, 100));
    expect((await run(file, state)).texts).toEqual(expected(1, 100));
    appendFileSync(file, range(101, 150));
    logrotate(file, ['compress', 'dateext', 'nocreate'], work);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^app\.log-\d{8}\.gz$/)]);
    writeFileSync(file, range(151, 160));
    expect((await run(file, state)).texts).toEqual(expected(101, 160));
  });

  it('copytruncate and compress: the rest from the compressed copy, then the file from its start', async () => {
    const { work, file, state } = await setup();
    writeFileSync(file, range(1, 100));
    expect((await run(file, state)).texts).toEqual(expected(1, 100));
    appendFileSync(file, range(101, 130));
    logrotate(file, ['compress', 'copytruncate'], work);
    appendFileSync(file, range(131, 140));
    expect((await run(file, state)).texts).toEqual(expected(101, 140));
  });
});

describe.skipIf(skipWithout('logrotate'))('--backfill over the history logrotate leaves', () => {
  it('reads .N.gz and .N siblings (compress, delaycompress), oldest first, then the file: every line in order', async () => {
    const { dir, work, file } = await setup();
    let n = 0;
    for (let round = 0; round < 4; round++) {
      writeFileSync(file, range(n + 1, n + 100));
      n += 100;
      logrotate(file, ['compress', 'delaycompress', 'nocreate'], work);
    }
    writeFileSync(file, range(n + 1, n + 10));
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2.gz', 'app.log.3.gz', 'app.log.4.gz']);
    const result = await runCli(['--backfill', '--no-follow', '-n', '2', file]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe(range(1, n + 10));
  });
});

describe.skipIf(skipWithout('logrotate'))('rotations by logrotate while stopped, without compress', () => {
  it('rotated twice: the file now at .2 from where it was, then .1 (never read), then the new one', async () => {
    const { dir, work, file, state } = await setup();
    writeFileSync(file, range(1, 100));
    expect((await run(file, state)).texts).toEqual(expected(1, 100));
    appendFileSync(file, range(101, 150));
    logrotate(file, ['nocreate'], work);
    writeFileSync(file, range(151, 200));
    logrotate(file, ['nocreate'], work);
    expect(readdirSync(dir).sort()).toEqual(['app.log.1', 'app.log.2']);
    writeFileSync(file, range(201, 210));
    expect((await run(file, state)).texts).toEqual(expected(101, 210));
    expect((await run(file, state)).texts).toEqual([]);
  });
});
