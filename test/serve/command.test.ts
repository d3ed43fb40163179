import { appendFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { tempDir } from '../helpers/fs.js';
import { spawnCli } from '../helpers/spawn.js';
import { connectSse } from '../helpers/sse.js';
import { refusalOf } from '../helpers/usage.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

/** Starts `tail-async --serve …` and waits for the URL it prints. */
async function serving(args: string[]): Promise<{ url: string; cli: ReturnType<typeof spawnCli> }> {
  const cli = spawnCli(args);
  await waitFor(() => /serving on \S+/.test(cli.out.stderr) || cli.out.status !== undefined, () => `the URL (stderr: ${cli.out.stderr})`, 15_000, 20);
  const url = /serving on (\S+)/.exec(cli.out.stderr)?.[1];
  if (!url) throw new Error(`no URL: ${cli.out.stderr}`);
  return { url, cli };
}

describe('tail-async --serve', () => {
  it('reads [HOST:]PORT, --serve-token and --serve-lines, and refuses what it cannot use', () => {
    expect(parseArgs(['--serve', '8080', 'a.log']).serve).toEqual({ host: '127.0.0.1', port: 8080, token: undefined, lines: undefined });
    expect(parseArgs(['--serve=0.0.0.0:0', '--serve-token', 's3cret', '--serve-lines', '500', 'a.log']).serve).toEqual({ host: '0.0.0.0', port: 0, token: 's3cret', lines: 500 });
    expect(parseArgs(['--serve', '[::1]:9000']).serve).toMatchObject({ host: '::1', port: 9000 });
    expect(parseArgs(['--serve', 'localhost:9000']).serve).toMatchObject({ host: 'localhost', port: 9000 });
    expect(parseArgs(['a.log']).serve).toBeUndefined();
    for (const [argv, message] of [
      [['--serve', 'http://x:80'], "invalid --serve address: 'http://x:80' (expected [HOST:]PORT)"],
      [['--serve', '65536'], "invalid --serve address: '65536' (expected [HOST:]PORT)"],
      [['--serve', '[nope]:80'], "invalid --serve address: '[nope]:80' (expected [HOST:]PORT)"],
      [['--serve', '80', '--serve-lines', '0'], "invalid --serve-lines: '0'"],
      [['--serve', '80', '--serve-token', ''], "invalid --serve-token: ''"],
      [['--serve-token', 't'], "option '--serve-token' needs '--serve'"],
      [['--serve-lines', '5'], "option '--serve-lines' needs '--serve'"],
    ] as const) {
      expect(refusalOf(() => parseArgs([...argv, 'a.log'])), argv.join(' ')).toBe(message);
    }
  });

  it('refuses --serve with --sink as a usage error (status 2)', async () => {
    const result = await runCli(['--serve', '0', '--sink', 'redis://127.0.0.1/0?stream=t', '--state-file', 'st.json', 'a.log']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("tail-async: options '--serve' and '--sink' cannot be used together\nTry 'tail-async --help' for more information.\n");
  });

  it('serves what the processing flags keep (without terminal colours), from every file a pattern matches, until SIGTERM (143)', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), '{"level":"info","msg":"a1"}\n{"level":"error","msg":"a2"}\n');
    await writeFile(path.join(dir, 'b.log'), '{"level":"error","msg":"b1"}\nnot json\n');
    const { url, cli } = await serving(['--serve', '0', '-n', '+1', '--grep', 'error', '--color', 'always', '--json', '--where', 'level=error', '--on-error', 'skip', path.join(dir, '*.log')]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await connectSse(new URL('events', url).href);
    await appendFile(path.join(dir, 'a.log'), '{"level":"error","msg":"a3 <b>"}\n');
    await waitFor(() => page.lines().length === 3, () => `3 lines (have ${JSON.stringify(page.lines())})`, 10_000);
    // No terminal colours for a browser, whatever --color says.
    expect(page.lines().filter(([, t]) => t.includes('\x1b'))).toEqual([]);
    expect(page.lines().map(([s, t]) => [path.basename(s), JSON.parse(t).msg]).sort()).toEqual([
      ['a.log', 'a2'],
      ['a.log', 'a3 <b>'],
      ['b.log', 'b1'],
    ]);
    cli.child.kill('SIGTERM');
    await cli.exited;
    expect(cli.out.status).toBe(143);
    expect(cli.out.stdout).toBe('');
    await page.ended;
  });

  it('on a host other than loopback, makes a token, prints it once in the URL, and refuses requests without it (401)', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'one\n');
    const { url, cli } = await serving(['--serve', '0.0.0.0:0', path.join(dir, 'a.log')]);
    const token = new URL(url).searchParams.get('token');
    expect(token).toMatch(/^[\w-]{22}$/);
    expect(cli.out.stderr.split(token!).length).toBe(2);
    const local = (p: string) => `http://127.0.0.1:${new URL(url).port}${p}`;
    expect((await connectSse(local('/events'))).status).toBe(401);
    const page = await connectSse(local(`/events?token=${token}`));
    await waitFor(() => page.lines().length === 1, 'the line');
    cli.child.kill('SIGINT');
    await cli.exited;
    expect(cli.out.status).toBe(130);
  });

  it('with --no-follow, keeps serving what it read until a signal; a given --serve-token goes in the URL it prints', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'one\ntwo\n');
    const { url, cli } = await serving(['--serve', '0', '--serve-token', 'tok-123', '--no-follow', '-n', '1', path.join(dir, 'a.log')]);
    expect(url).toMatch(/\/\?token=tok-123$/);
    const page = await connectSse(new URL('events?token=tok-123', url).href);
    await waitFor(() => page.named('end').length === 1, 'the end of the input');
    expect(page.lines().map(([, t]) => t)).toEqual(['two']);
    expect(cli.out.status).toBeUndefined();
    cli.child.kill('SIGTERM');
    await cli.exited;
    expect(cli.out.status).toBe(143);
  });

  it('keeps serving standard input once it ended, until a signal; with --pid, ends (0) once that process is gone', async () => {
    // (Standard input is /dev/null here: it ends at once.)
    const { url, cli: stdin } = await serving(['--serve', '0']);
    const page = await connectSse(new URL('events', url).href);
    await waitFor(() => page.named('end').length === 1, 'the end of standard input');
    expect(stdin.out.status).toBeUndefined();
    stdin.child.kill('SIGTERM');
    await stdin.exited;
    expect(stdin.out.status).toBe(143);

    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'one\n');
    const writer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)']);
    const { cli } = await serving(['--serve', '0', '--pid', String(writer.pid), path.join(dir, 'a.log')]);
    await cli.exited;
    expect(cli.out.status).toBe(0);
  });

  it('says so in one line, with status 1, when the port is taken', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.log'), 'one\n');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const cli = spawnCli(['--serve', String(port), path.join(dir, 'a.log')]);
      await cli.exited;
      expect(cli.out.status).toBe(1);
      expect(cli.out.stderr).toBe(`tail-async: cannot serve on 127.0.0.1:${port}: Address already in use\n`);
    } finally {
      taken.close();
    }
  });
});
