import { appendFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tail, type Notice, type TailOptions } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';
import { collect, waitFor } from '../helpers/wait.js';
import { runCli } from '../helpers/cli.js';

const lines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i + 1}\n`).join('');
const texts = (s: string) => s.split('\n').filter((l) => l !== '');

/** A log with rotated history: app.log.4.gz (oldest), app.log.3.gz, app.log.2, app.log.1, app.log. */
async function rotatedLog(): Promise<{ dir: string; file: string; all: string[] }> {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  const parts: Array<[string, string]> = [
    ['app.log.4.gz', lines('d', 3)],
    ['app.log.3.gz', lines('c', 3)],
    ['app.log.2', lines('b', 3)],
    ['app.log.1', lines('a', 3)],
    ['app.log', lines('live', 3)],
  ];
  // Times that say the opposite of the names: the names decide.
  parts.forEach(([name, content], i) => {
    const full = path.join(dir, name);
    writeFileSync(full, name.endsWith('.gz') ? gzipSync(content) : content);
    utimesSync(full, 1000 - i, 1000 - i);
  });
  return { dir, file, all: parts.flatMap(([, content]) => texts(content)) };
}

async function readAll(input: string | string[], options: TailOptions): Promise<{ texts: string[]; sources: string[]; notices: Notice[] }> {
  const notices: Notice[] = [];
  const out: string[] = [];
  const sources: string[] = [];
  for await (const line of tail(input, { follow: false, onNotice: (n) => notices.push(n), ...options })) {
    out.push(line.text);
    sources.push(line.source);
  }
  return { texts: out, sources, notices };
}

describe('backfill', () => {
  it('reads the rotated siblings, oldest first (compressed ones decompressed), then the whole file', async () => {
    const { file, all } = await rotatedLog();
    const got = await readAll(file, { backfill: true, start: { lines: 1 } });
    expect(got.texts).toEqual(all);
    // Every line carries the followed name.
    expect(new Set(got.sources)).toEqual(new Set([file]));
    expect(got.notices).toEqual([]);
  });

  it('then follows the file', async () => {
    const { file, all } = await rotatedLog();
    const got = collect(tail(file, { backfill: true }));
    await got.until(all.length);
    appendFileSync(file, 'after\n');
    await got.until(all.length + 1);
    await got.stop();
    expect(got.texts()).toEqual([...all, 'after']);
  });

  it('reports a truncated or corrupt compressed sibling once, naming it, and reads the rest', async () => {
    const { dir, file } = await rotatedLog();
    const gz = gzipSync(lines('x', 20_000));
    writeFileSync(path.join(dir, 'app.log.5.gz'), gz.subarray(0, gz.length >> 1));
    writeFileSync(path.join(dir, 'app.log.3.gz'), 'this is not gzip data');
    const got = await readAll(file, { backfill: true });
    const errors = got.notices.filter((n) => n.type === 'error').map((n) => n.message);
    expect(errors).toEqual([`error reading '${path.join(dir, 'app.log.5.gz')}': unexpected end of file`, `error reading '${path.join(dir, 'app.log.3.gz')}': incorrect header check`]);
    // What app.log.5.gz held before the cut comes first, in order; app.log.3.gz gives nothing.
    const fromCut = got.texts.filter((t) => t.startsWith('x'));
    expect(fromCut.length).toBeGreaterThan(100);
    expect(fromCut.slice(0, -1)).toEqual(texts(lines('x', fromCut.length - 1)));
    expect(got.texts.slice(fromCut.length)).toEqual([...texts(lines('d', 3)), ...texts(lines('b', 3)), ...texts(lines('a', 3)), ...texts(lines('live', 3))]);
  });

  it('reports a sibling in a compression no codec here reads, and goes on', async () => {
    const { dir, file, all } = await rotatedLog();
    writeFileSync(path.join(dir, 'app.log.9.xz'), 'xz data');
    const got = await readAll(file, { backfill: true });
    expect(got.texts).toEqual(all);
    expect(got.notices.map((n) => n.message)).toEqual([`error reading '${path.join(dir, 'app.log.9.xz')}': compressed in a format tail-async cannot read (.xz); skipped`]);
  });

  it('orders dateext siblings by their dates', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    writeFileSync(path.join(dir, 'app.log-20261129.gz'), gzipSync('29\n'));
    writeFileSync(path.join(dir, 'app.log-20261130'), '30\n');
    writeFileSync(path.join(dir, 'app.log-20261128.gz'), gzipSync('28\n'));
    writeFileSync(file, 'today\n');
    expect((await readAll(file, { backfill: true })).texts).toEqual(['28', '29', '30', 'today']);
  });

  it('with a pattern, reads each match with its own siblings and does not follow siblings as names', async () => {
    const { dir, all } = await rotatedLog();
    writeFileSync(path.join(dir, 'err.log.1.gz'), gzipSync('e-old\n'));
    writeFileSync(path.join(dir, 'err.log'), 'e-new\n');
    const got = await readAll(path.join(dir, '*'), { backfill: true });
    expect(got.texts.filter((t) => !t.startsWith('e-'))).toEqual(all);
    expect(got.texts.filter((t) => t.startsWith('e-'))).toEqual(['e-old', 'e-new']);
    expect(new Set(got.sources)).toEqual(new Set([path.join(dir, 'app.log'), path.join(dir, 'err.log')]));
  });

  it('reads a rotated file given beside its name once, as that name\'s history', async () => {
    const { dir, file, all } = await rotatedLog();
    const got = await readAll([file, path.join(dir, 'app.log.1')], { backfill: true });
    expect(got.texts).toEqual(all);
    expect(new Set(got.sources)).toEqual(new Set([file]));
    // Without backfill it is a name like any other.
    const plain = await readAll([file, path.join(dir, 'app.log.1')], { start: { fromLine: 1 } });
    expect(plain.texts).toEqual([...texts(lines('live', 3)), ...texts(lines('a', 3))]);
  });

  it('the command reads a rotated file given beside its name once, as its history, under the name\'s header', async () => {
    const { dir, file, all } = await rotatedLog();
    const result = await runCli(['--backfill', '--no-follow', file, path.join(dir, 'app.log.1')]);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(`==> ${file} <==\n${all.join('\n')}\n`);
  });

  it('without backfill, reads no sibling', async () => {
    const { file } = await rotatedLog();
    expect((await readAll(file, { start: { fromLine: 1 } })).texts).toEqual(texts(lines('live', 3)));
  });

  it('with a checkpoint, backfills a name only once: the next run starts where the last one stopped', async () => {
    const { dir, file, all } = await rotatedLog();
    const state = path.join(dir, 'state.json');
    expect((await readAll(file, { backfill: true, checkpoint: state })).texts).toEqual(all);
    appendFileSync(file, 'new\n');
    expect((await readAll(file, { backfill: true, checkpoint: state })).texts).toEqual(['new']);
  });

  it('with a checkpoint, counts the file from its start once its history is delivered, also when it has no line', async () => {
    const { dir, file, all } = await rotatedLog();
    writeFileSync(file, '');
    const state = path.join(dir, 'state.json');
    const got = collect(tail(file, { backfill: true, checkpoint: state }));
    await got.until(all.length - 3);
    // The history is delivered once the consumer asks for more: then the file counts from its start.
    await expect.poll(() => (JSON.parse(readFileSync(state, 'utf8')) as { entries: Array<{ path: string; offset: number }> }).entries, { timeout: 5_000 }).toEqual([expect.objectContaining({ path: file, offset: 0 })]);
    await got.stop();
    appendFileSync(file, 'new\n');
    expect((await readAll(file, { backfill: true, checkpoint: state })).texts).toEqual(['new']);
  });

  it('a run stopped in the history reads the history again (at least once), never skips it', async () => {
    const { dir, file, all } = await rotatedLog();
    const state = path.join(dir, 'state.json');
    const stream = tail(file, { backfill: true, checkpoint: state, follow: false });
    let n = 0;
    for await (const line of stream) {
      stream.commit(line);
      if (++n === 4) break;
    }
    expect((await readAll(file, { backfill: true, checkpoint: state })).texts).toEqual(all);
  });
});

describe('--backfill', () => {
  it('is listed by --help', async () => {
    const help = (await runCli(['--help'])).stdout.toString();
    expect(help).toMatch(/--backfill +first read each file's rotated history, oldest first/);
  });

  it('prints the history, then the whole file, whatever -n says; with -v, one header for the name', async () => {
    const { file, all } = await rotatedLog();
    const result = await runCli(['--backfill', '--no-follow', '-v', '-n', '1', file]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe(`==> ${file} <==\n${all.join('\n')}\n`);
  });

  it('reads the history, then follows by descriptor with -f', async () => {
    const { file, all } = await rotatedLog();
    const result = await runCli(['--backfill', '-f', file], {
      during: async ({ stdout, signals }) => {
        await waitFor(() => stdout.text.split('\n').length > all.length, 'the history and the file');
        appendFileSync(file, 'after\n');
        await waitFor(() => stdout.text.endsWith('after\n'), 'the line appended');
        signals.emit('SIGTERM');
      },
    });
    expect(result.stdout.toString()).toBe(`${all.join('\n')}\nafter\n`);
  });
});
