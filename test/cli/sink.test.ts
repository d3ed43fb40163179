import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';

describe('--sink', () => {
  it.each([
    [['--sink', 'redis://127.0.0.1/0', 'app.log'], "option '--sink' needs '--state-file'"],
    [['--sink=nats://127.0.0.1', 'app.log'], "option '--sink' needs '--state-file'"],
    [['--state-file', 'st.json', '--sink', 'kafka://broker:9092', 'app.log'], "invalid sink URL 'kafka://broker:9092': unknown scheme 'kafka:' (expected redis://, rediss://, redis+unix:// or nats://)"],
    [['--state-file', 'st.json', '--sink', 'redis://h?stream=logs:{pid}', 'app.log'], "invalid sink URL 'redis://h?stream=logs:{pid}': stream 'logs:{pid}': unknown placeholder {pid} (known: {host}, {file})"],
    [['--state-file', 'st.json', '--sink', 'app.log'], "invalid sink URL 'app.log': expected redis://, rediss://, redis+unix:// or nats://"],
  ])('%j is a usage error: one line, status 2, nothing read or written', async (argv, message) => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'app.log'), 'one\n');
    const result = await runCli(argv, { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`tail-async: ${message}\nTry 'tail-async --help' for more information.\n`);
    expect(result.stdout.length).toBe(0);
    expect(existsSync(path.join(dir, 'st.json'))).toBe(false);
  });

  it('is listed in --help', async () => {
    const { stdout } = await runCli(['--help']);
    // (however the text is wrapped)
    expect(stdout.toString().replaceAll(/\s+/g, ' ')).toMatch(/--sink=URL ship lines to Redis Streams or NATS JetStream instead of printing them/);
  });
});
