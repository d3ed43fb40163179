import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import type { Emitted, LineContext, ProcessorObject } from '../../src/chain/types.js';
import { ctx, ctxs } from './processors/ctx.js';

// The plugins are plain .mjs files without types, loaded by path as the plugin loader does.
/** The example's processor: its default export, or a fresh one from its createProcessor() factory. */
async function loadExample(name: string): Promise<ProcessorObject> {
  const specifier: string = `../../examples/plugins/${name}.mjs`;
  const module = (await import(specifier)) as { default?: ProcessorObject; createProcessor?: () => ProcessorObject };
  return module.createProcessor ? module.createProcessor() : module.default!;
}

const run = (processor: ProcessorObject, text: string, context: LineContext = ctx(text)): unknown => processor.process(text, context);

describe('examples/plugins/redact.mjs', () => {
  let redact: ProcessorObject;
  beforeEach(async () => {
    redact = await loadExample('redact');
  });

  it('is a processor object named redact', () => {
    expect(redact.name).toBe('redact');
    expect(typeof redact.process).toBe('function');
  });

  it.each([
    ['user alice@example.com logged in', 'user ***@example.com logged in'],
    ['to bob.smith+tag@mail.example.co.uk, cc eve@x.io', 'to ***@mail.example.co.uk, cc ***@x.io'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc-_=', 'Authorization: Bearer [REDACTED]'],
    ['authorization: bearer abc123', 'authorization: bearer [REDACTED]'],
    ['GET /x?token=abc123&page=2', 'GET /x?token=[REDACTED]&page=2'],
    ['GET /cb?access_token=xyz', 'GET /cb?access_token=[REDACTED]'],
    ['api_key=sk-live-42 password=hunter2 user=bob', 'api_key=[REDACTED] password=[REDACTED] user=bob'],
    ['password: hunter2', 'password: [REDACTED]'],
    [`password="two words" secret='x y' next`, `password="[REDACTED]" secret='[REDACTED]' next`],
    ['{"password":"hun\\"ter2","api_key": 42,"n":1}', '{"password":"[REDACTED]","api_key": "[REDACTED]","n":1}'],
  ])('redacts %j', (input, expected) => {
    expect(run(redact, input)).toBe(expected);
  });

  it('leaves a line without secrets unchanged', () => {
    expect(run(redact, 'GET /health 200 12ms tokens: 5')).toBeUndefined();
  });

  it('gives the same result for the same line every time and changes nothing on a second pass', () => {
    const line = 'a@b.io token=t1 Bearer t2';
    const once = run(redact, line) as string;
    expect(once).toBe('***@b.io token=[REDACTED] Bearer [REDACTED]');
    expect(run(redact, line)).toBe(once);
    expect(run(redact, once)).toBeUndefined();
  });

  it('keeps a redacted JSON line valid JSON', () => {
    const out = run(redact, JSON.stringify({ email: 'a@b.io', password: 'p', api_key: 7 })) as string;
    expect(JSON.parse(out)).toEqual({ email: '***@b.io', password: '[REDACTED]', api_key: '[REDACTED]' });
  });
});

describe('examples/plugins/level-filter.mjs', () => {
  /** The plugin loaded afresh with MIN_LEVEL set (or unset): it reads MIN_LEVEL once, when loaded. */
  async function withMinLevel(level: string | undefined): Promise<ProcessorObject> {
    vi.resetModules();
    vi.stubEnv('MIN_LEVEL', level);
    return loadExample('level-filter');
  }

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const line = (level: unknown): string => JSON.stringify({ level, msg: 'm' });

  it('is a processor object named level-filter', async () => {
    expect((await withMinLevel(undefined)).name).toBe('level-filter');
  });

  it('keeps warn and above by default, and drops the rest', async () => {
    const filter = await withMinLevel(undefined);
    const kept = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].filter((level) => run(filter, line(level)) === undefined);
    expect(kept).toEqual(['warn', 'error', 'fatal']);
    expect(run(filter, line('info'))).toBeNull();
  });

  it('follows MIN_LEVEL given as a name, in any case', async () => {
    const filter = await withMinLevel('ERROR');
    expect(['warn', 'error', 'Fatal', 'WARNING'].map((level) => run(filter, line(level)))).toEqual([null, undefined, undefined, null]);
  });

  it('understands pino numeric levels, in the records and in MIN_LEVEL', async () => {
    const byName = await withMinLevel('info');
    expect([10, 20, 30, 40, 50, 60].map((level) => run(byName, line(level)))).toEqual([null, null, undefined, undefined, undefined, undefined]);
    const byNumber = await withMinLevel('50');
    expect([40, 45, 50, 55, 'error', 'warn'].map((level) => run(byNumber, line(level)))).toEqual([null, null, undefined, undefined, undefined, null]);
  });

  it('passes lines that are not JSON objects, or have no level it knows, unchanged', async () => {
    const filter = await withMinLevel('fatal');
    for (const text of ['plain text', '{not json', '[1,2]', '"warn"', '{"msg":"no level"}', line('verbose'), line(null), '  ']) {
      expect(run(filter, text)).toBeUndefined();
    }
    expect(run(filter, `  ${line('info')}`)).toBeNull();
  });

  it('refuses to load with an unknown MIN_LEVEL', async () => {
    await expect(withMinLevel('loud')).rejects.toThrow("MIN_LEVEL must be one of trace, debug, info, warn, error, fatal or a number, not 'loud'");
  });
});

describe('examples/plugins/stacktrace.mjs', () => {
  let stacktrace: ProcessorObject;
  beforeEach(async () => {
    // A fresh processor for each test: its pending events are its own.
    stacktrace = await loadExample('stacktrace');
  });

  /** Each emitted event as [source, text, first line number, last line number]. */
  const events = (output: unknown): unknown =>
    output === null ? null : (output as Emitted[]).map((e) => [e.first.source, e.text, e.first.lineNumber, e.last?.lineNumber]);
  const feed = (contexts: LineContext[]): unknown[] =>
    contexts.map((c) => events(stacktrace.process(c.line.text, c))).filter((out) => out !== null);

  it('gives each load its own pending events: one processor flushes only what it was given', async () => {
    const other = await loadExample('stacktrace');
    expect(other).not.toBe(stacktrace);
    stacktrace.process('Error: only here', ctx('Error: only here'));
    expect(await other.flush!('end')).toEqual([]);
    expect(((await stacktrace.flush!('end')) as Emitted[]).map((e) => e.text)).toEqual(['Error: only here']);
  });

  it('is a processor object named stacktrace that asks for an idle flush after 500 ms', () => {
    expect(stacktrace.name).toBe('stacktrace');
    expect(stacktrace.idleFlushMs).toBe(500);
  });

  it('joins a Java stack trace, with Caused by and "... N more", to the line before it', () => {
    const lines = ctxs('app.log', [
      '2024-01-01 ERROR request failed',
      'java.lang.IllegalStateException: boom',
      '\tat com.example.Foo.bar(Foo.java:42)',
      '\tat com.example.Main.main(Main.java:7)',
      'Caused by: java.io.IOException: closed',
      '\tat java.io.Stream.read(Stream.java:1)',
      '\t... 2 more',
      '2024-01-01 INFO next',
    ]);
    expect(feed(lines)).toEqual([
      [['app.log', '2024-01-01 ERROR request failed', 1, 1]],
      [
        [
          'app.log',
          'java.lang.IllegalStateException: boom\n\tat com.example.Foo.bar(Foo.java:42)\n\tat com.example.Main.main(Main.java:7)\nCaused by: java.io.IOException: closed\n\tat java.io.Stream.read(Stream.java:1)\n\t... 2 more',
          2,
          7,
        ],
      ],
    ]);
  });

  it('joins a Node stack trace to its error line', () => {
    const lines = ctxs('app.log', ['Error: ENOENT', '    at open (node:fs:1:1)', '    at main (/app/index.js:3:5)', 'next']);
    expect(feed(lines)).toEqual([[['app.log', 'Error: ENOENT\n    at open (node:fs:1:1)\n    at main (/app/index.js:3:5)', 1, 3]]]);
  });

  it('does not take a line with "at" that is not indented for a continuation', () => {
    expect(feed(ctxs('app.log', ['one', 'at noon', 'attic']))).toEqual([[['app.log', 'one', 1, 1]], [['app.log', 'at noon', 2, 2]]]);
  });

  it('positions an event from its first line to its last', () => {
    const lines = ctxs('app.log', ['Error: x', '    at f (a.js:1:1)', 'next']);
    const outputs = lines.map((c) => stacktrace.process(c.line.text, c));
    expect(outputs.slice(0, 2)).toEqual([null, null]);
    const [event] = outputs[2] as Emitted[];
    expect(event!.first).toBe(lines[0]);
    expect(event!.last).toBe(lines[1]);
    expect(event!.last!.end).toBe(lines[2]!.offset);
  });

  it('keeps a pending event per source, so interleaved files do not mix', () => {
    const [a1, a2, a3] = ctxs('a.log', ['Error: in a', '    at a (a.js:1:1)', 'a next']);
    const [b1, b2, b3] = ctxs('b.log', ['Error: in b', '    at b (b.js:1:1)', 'b next']);
    expect([a1, b1, a2, b2, a3, b3].map((c) => events(stacktrace.process(c!.line.text, c!)))).toEqual([
      null,
      null,
      null,
      null,
      [['a.log', 'Error: in a\n    at a (a.js:1:1)', 1, 2]],
      [['b.log', 'Error: in b\n    at b (b.js:1:1)', 1, 2]],
    ]);
  });

  it('flushes every pending event, in the order their first lines arrived, and then holds nothing', async () => {
    for (const c of [...ctxs('a.log', ['a1', 'a2']), ...ctxs('b.log', ['b1', '    at b (b.js:1:1)'])]) stacktrace.process(c.line.text, c);
    expect(events(await stacktrace.flush!('idle'))).toEqual([
      ['a.log', 'a2', 2, 2],
      ['b.log', 'b1\n    at b (b.js:1:1)', 1, 2],
    ]);
    expect(await stacktrace.flush!('end')).toEqual([]);
  });

  it('starts an event with a continuation line when its source has none pending', async () => {
    expect(feed(ctxs('app.log', ['    at f (a.js:1:1)', '    at g (a.js:2:1)']))).toEqual([]);
    expect(events(await stacktrace.flush!('end'))).toEqual([['app.log', '    at f (a.js:1:1)\n    at g (a.js:2:1)', 1, 2]]);
  });

  it('emits an event of 1000 lines at once', () => {
    const texts = ['Error: deep', ...Array.from({ length: 1000 }, (_, i) => `    at f${i} (a.js:${i}:1)`)];
    const out = feed(ctxs('app.log', texts)) as [string, string, number, number][][];
    expect(out).toHaveLength(1);
    expect(out[0]![0]![2]).toBe(1);
    expect(out[0]![0]![3]).toBe(1000);
    expect(out[0]![0]![1].split('\n')).toHaveLength(1000);
  });
});
