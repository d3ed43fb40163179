/**
 * Every code example of the README and of the public API's TSDoc, compiled by TypeScript in strict mode
 * as a user's program (importing 'tail-async' from this checkout's build), then run in a directory of its
 * own that holds the files the examples name (app.log, err.log, redact.mjs…).
 *
 * - A block without an import of 'tail-async' gets one for the public names it uses; names the examples
 *   take for granted (`ctx`, `sink`, `ship`, `send`, `count`) are declared as globals, and defined for
 *   the run by a preload (an in-memory sink, a shipment that resolves).
 * - Timeouts given to AbortSignal.timeout() are cut to 300 ms for the run, so that the examples that
 *   end on one reach it.
 * - An example that follows a file runs until it holds the file open and, when it prints, has printed;
 *   then it is ended with SIGTERM. It passes when it ended by itself with status 0, or was still running
 *   then, and in both cases left no uncaught error (no stack trace) on stderr.
 * - Examples that need a Redis or NATS server, or system paths (/var/…, /srv/…), are compiled only: the
 *   README's shipping example is run against real servers by test/sinks/readme.test.ts.
 * - TSDoc examples of internal (`@internal`) code are maintainers' notes on internal state, not compiled.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeExamples, ROOT, tsdocExamples, type DocExample } from '../helpers/doc-examples.js';
import { waitFor } from '../helpers/wait.js';
import { compile, writeConsumerTsconfig } from '../helpers/consumer-ts.js';

const EXAMPLES: readonly DocExample[] = [...readmeExamples(), ...tsdocExamples().filter((e) => !e.internal)];

/** The public names, values and types, as src/index.ts exports them. */
function publicNames(): { values: string[]; types: string[] } {
  const index = readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8');
  const names = (re: RegExp) => [...index.matchAll(re)].flatMap((m) => m[1]!.split(',').map((n) => n.trim()).filter(Boolean));
  return { values: names(/^export \{([^}]*)\}/gm), types: names(/^export type \{([^}]*)\}/gm) };
}

const GLOBALS_D_TS = `import type { Line, LineContext, Sink } from 'tail-async';
declare global {
  var ctx: LineContext;
  var count: number;
  var sink: Sink;
  function ship(what: Line | readonly Line[]): Promise<void>;
  function send(batch: readonly Line[]): Promise<void>;
}
export {};
`;

const GLOBALS_MJS = `const line = { text: 'started', source: 'app.log', offset: 0, end: 8, lineNumber: 1, eol: '\\n' };
globalThis.ctx = { source: 'app.log', lineNumber: 1, offset: 0, end: 8, line };
globalThis.count = 0;
globalThis.sink = { name: 'memory', async send() {}, async close() {} };
globalThis.ship = async () => {};
globalThis.send = async () => {};
const timeout = AbortSignal.timeout;
AbortSignal.timeout = (ms) => timeout.call(AbortSignal, Math.min(ms, 300));
`;

const APP_LOG = [
  '2024-05-01 10:00:00 INFO started, mail to alice@example.com',
  '2024-05-01 10:00:01 ERROR timeout talking to the database',
  '    at connect (db.js:10:5)',
  '{"level":"error","time":1,"msg":"boom","req":{"status":500}}',
  // A line of now, in logfmt: for the examples with `since` and the logfmt processors.
  `${new Date().toISOString()} level=error msg="disk full"`,
  '',
].join('\n');

/** What every run directory holds besides the example. */
function furnish(dir: string): void {
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'examples', private: true, type: 'module' }));
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'tail-async'));
  writeFileSync(path.join(dir, 'app.log'), APP_LOG);
  writeFileSync(path.join(dir, 'err.log'), 'ERROR disk full\n');
  writeFileSync(path.join(dir, 'access.log'), 'GET /health 200\nGET /app.css 200\nPOST /login 302\n');
  copyFileSync(path.join(ROOT, 'examples', 'plugins', 'redact.mjs'), path.join(dir, 'redact.mjs'));
  writeFileSync(path.join(dir, 'enrich.mjs'), "export default { name: 'enrich', process: (text) => `[app] ${text}` };\n");
  writeFileSync(path.join(dir, 'globals.mjs'), GLOBALS_MJS);
}

/** The example as a module of its own: imports for the public names it uses but does not import. */
function asModule(example: DocExample, names: { values: string[]; types: string[] }): string {
  const uses = (name: string) => new RegExp(`(?<![\\w.'"])${name}\\b`).test(example.code);
  const header: string[] = [];
  if (!/from 'tail-async'/.test(example.code)) {
    const values = names.values.filter(uses);
    const types = example.lang === 'ts' ? names.types.filter(uses) : [];
    if (values.length + types.length > 0) header.push(`import { ${[...values, ...types.map((t) => `type ${t}`)].join(', ')} } from 'tail-async';`);
  }
  if (uses('appendFile') && !/import.*appendFile/.test(example.code)) header.push("import { appendFile } from 'node:fs/promises';");
  return `${header.join('\n')}\n${example.code}\nexport {};\n`;
}

const compileOnly = (e: DocExample) => /\/var\/|\/srv\/|redisSink\(|natsSink\(|sinkFromUrl\(|acme-log-tools/.test(e.code);
const file = (i: number, e: DocExample) => `ex${String(i).padStart(2, '0')}.${e.lang}`;

const work = mkdtempSync(path.join(os.tmpdir(), 'tail-async-examples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let compileErrors = new Map<string, string[]>();

beforeAll(() => {
  const names = publicNames();
  furnish(work);
  writeFileSync(path.join(work, 'globals.d.ts'), GLOBALS_D_TS);
  EXAMPLES.forEach((e, i) => writeFileSync(path.join(work, file(i, e)), asModule(e, names)));
  writeConsumerTsconfig(work, { files: ['globals.d.ts', ...EXAMPLES.map((e, i) => file(i, e))] }, { allowJs: true, checkJs: true });
  const tsc = compile(work);
  compileErrors = new Map();
  for (const m of tsc.output.matchAll(/^(ex\d+\.[jt]s)\((\d+),\d+\): (error TS\d+: .*)$/gm)) {
    compileErrors.set(m[1]!, [...(compileErrors.get(m[1]!) ?? []), `line ${m[2]}: ${m[3]}`]);
  }
  if (tsc.status !== 0 && compileErrors.size === 0) throw new Error(`tsc failed: ${tsc.output}`);
}, 120_000);

/** Descriptors of `pid` open on files in `dir`. */
function filesOpen(pid: number, dir: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return target.startsWith(dir + path.sep) ? [target] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

async function run(example: DocExample, i: number): Promise<{ status: number | null; ended: 'itself' | 'killed'; stdout: string; stderr: string }> {
  const dir = path.join(work, `run${i}`);
  mkdirSync(dir);
  furnish(dir);
  const js = file(i, example).replace(/\.ts$/, '.js');
  // Run as written, but a server listens on a port the system picks (a fixed one may be taken: 8080 once
  // was, mid-suite), as test/serve/readme.test.ts runs the README's.
  writeFileSync(path.join(dir, js), readFileSync(path.join(work, 'out', js), 'utf8').replaceAll('port: 8080', 'port: 0'));
  const child = spawn(process.execPath, ['--import', './globals.mjs', js], { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let status: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.on('exit', (code) => ((status = code), resolve())));
  const prints = /console\.log|stdout\.write/.test(example.code);
  try {
    await waitFor(() => status !== undefined || (filesOpen(child.pid!, dir).length > 0 && (!prints || stdout !== '')), () => `${example.where} to end, or to hold a file open${prints ? ' and print' : ''} (stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)})`, 20_000, 20);
  } finally {
    if (status === undefined) child.kill('SIGTERM');
  }
  const ended = status === undefined ? 'killed' : 'itself';
  await exited;
  return { status: status ?? null, ended, stdout, stderr };
}

/** Public names whose declaration has no TSDoc comment with an @example. */
function withoutExample(): { checked: number; missing: string[] } {
  let checked = 0;
  const index = readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8');
  const missing: string[] = [];
  for (const m of index.matchAll(/^export (?:type )?\{([^}]*)\} from '\.\/(.*)\.js'/gm)) {
    const text = readFileSync(path.join(ROOT, 'src', `${m[2]}.ts`), 'utf8');
    // `export { a, type B }`: the inline `type` is not part of the name.
    for (const name of m[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, '')).filter(Boolean)) {
      const declaration = new RegExp(`(/\\*\\*(?:(?!\\*/)[\\s\\S])*?\\*/)\\s*export (?:declare )?(?:async )?(?:function\\*?|class|interface|type|const) ${name}\\b`).exec(text);
      checked++;
      if (!declaration?.[1]!.includes('@example')) missing.push(`${name} (src/${m[2]}.ts)`);
    }
  }
  return { checked, missing };
}

describe('the examples of the README and of the TSDoc', () => {
  it('has an @example in the TSDoc of every public function, class and type', () => {
    const { checked, missing } = withoutExample();
    expect(checked).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });


  it('finds the examples: the README blocks and an example per public function and class', () => {
    expect(readmeExamples().length).toBeGreaterThanOrEqual(7);
    const documented = new Set(EXAMPLES.map((e) => e.section));
    for (const file of ['src/tail.ts', 'src/tail-stream.ts', 'src/errors.ts', 'src/options.ts', 'src/chain/types.ts', 'src/chain/processors/grep.ts', 'src/plugins/load.ts', 'src/sinks/contract.ts']) expect(documented).toContain(file);
  });

  it.each(EXAMPLES.map((e, i) => [e.where, e, i] as const))('%s compiles in strict mode', (_, example, i) => {
    expect(compileErrors.get(file(i, example)) ?? [], asModule(example, publicNames())).toEqual([]);
  });

  const runnable = EXAMPLES.map((e, i) => [e.where, e, i] as const).filter(([, e]) => !compileOnly(e));
  it.concurrent.each(runnable)('%s runs without an uncaught error', async (_, example, i) => {
    const result = await run(example, i);
    expect(result.stderr, result.stderr).not.toMatch(/^\s+at /m);
    if (result.ended === 'itself') expect(result.status, result.stderr).toBe(0);
  });
});
