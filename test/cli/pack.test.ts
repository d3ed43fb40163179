/**
 * The package as a new user gets it: `npm pack`, the tarball installed (once, offline from npm's cache)
 * into a fresh app, and four consumers in it — ESM, CommonJS, strict TypeScript ESM and strict TypeScript
 * CommonJS (`module: nodenext`) — each importing, type-checking where typed, and tailing a file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, writeConsumerTsconfig } from '../helpers/consumer-ts.js';

const root = path.resolve(fileURLToPath(import.meta.url), '../../..');

let app = '';
let installLog = '';
let log = '';

// One install for every test of the file (tempDir() is emptied after each test).
const dir = mkdtempSync(path.join(os.tmpdir(), 'tail-async-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // Pack exactly what would be published: prepack builds (incremental: dist/ is already built by
  // `npm test`) and leaves the `prepare` script out of the packed package.json; postpack restores it.
  execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  app = path.join(dir, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  // --prefer-offline: the dependencies come from npm's cache, filled by `npm ci` in this checkout.
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', path.join(dir, tarball)], { cwd: app, encoding: 'utf8' });
  installLog = install.stdout + install.stderr;
  if (install.status !== 0) throw new Error(`npm install of the tarball failed: ${installLog}`);
  log = path.join(app, 'node_modules', 'tail-async', 'fixtures', 'app.log');
}, 120_000);

/** A consumer of its own: a folder of `app` (so it finds the installed package) with its package.json and files. */
function consumer(name: string, type: 'module' | 'commonjs', files: Record<string, string>): string {
  const dir = path.join(app, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

function lastLine(): string {
  return readFileSync(log, 'utf8').trimEnd().split('\n').at(-1)!;
}

function run(dir: string, file: string): string {
  return execFileSync(process.execPath, [file, log], { cwd: dir, encoding: 'utf8' });
}

describe('the packed package', () => {
  it('installs from its tarball without a warning, with its licence, the source its maps name, and the --serve page', () => {
    expect(installLog).not.toMatch(/warn|prepare/i);
    const pkg = path.join(app, 'node_modules', 'tail-async');
    // The checkout keeps its `prepare` (npm ci builds dist/); the package goes without it.
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.prepare).toBe('npm run build');
    expect(JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')).scripts.prepare).toBeUndefined();
    expect(existsSync(path.join(root, 'package.json.unpacked'))).toBe(false);
    expect(readFileSync(path.join(pkg, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the tail-async authors\n/);
    const dist = path.join(pkg, 'dist');
    const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const missing = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(path.join(dist, map), 'utf8')) as { sources: string[] };
      return sources.map((s) => path.resolve(path.dirname(path.join(dist, map)), s)).filter((s) => spawnSync('test', ['-f', s]).status !== 0);
    });
    expect(missing).toEqual([]);
    // The --serve page ships as it is (no build step at install).
    for (const asset of ['index.html', 'page.js', 'page.css']) expect(existsSync(path.join(pkg, 'assets', 'serve', asset)), asset).toBe(true);
  });

  it('runs the command: --version, and a real tail', () => {
    const bin = path.join(app, 'node_modules', '.bin', 'tail-async');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toMatch(/^tail-async \d+\.\d+\.\d+\n$/);
    const expected = spawnSync('tail', ['-n', '3', log], { encoding: 'utf8' }).stdout;
    expect(execFileSync(bin, ['--no-follow', '-n', '3', log], { encoding: 'utf8' })).toBe(expected);
  });

  it('works from an ES module app', () => {
    const dir = consumer('esm', 'module', {
      'use.js': `import { tail } from 'tail-async';\nfor await (const line of tail(process.argv[2], { follow: false, start: { lines: 1 } })) console.log(line.lineNumber, line.text);\n`,
    });
    expect(run(dir, 'use.js')).toBe(`1 ${lastLine()}\n`);
  });

  it('works from a CommonJS app with require()', () => {
    const dir = consumer('cjs', 'commonjs', {
      'use.js': `const { tail, TailError } = require('tail-async');\n(async () => {\n  for await (const line of tail(process.argv[2], { follow: false, start: { lines: 1 } })) console.log(typeof TailError, line.text);\n})();\n`,
    });
    expect(run(dir, 'use.js')).toBe(`function ${lastLine()}\n`);
  });

  // One program for both TypeScript apps: typed use of the API, including a type error's absence being
  // meaningful (a wrong option would fail the compile), and the abort convention.
  const typed = (top: boolean) => `import { tail, type Line, type TailOptions } from 'tail-async';

const options: TailOptions = { follow: false, start: { lines: 1 } };
async function main(file: string): Promise<void> {
  const seen: Line[] = [];
  for await (const line of tail(file, options)) seen.push(line);
  const last = seen[0];
  if (last) console.log(last.lineNumber, last.text);
  try {
    for await (const _ of tail(file, { signal: AbortSignal.abort() })) break;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
    console.log('aborted');
  }
}
${top ? 'await main(process.argv[2]!);' : 'main(process.argv[2]!).catch((error: unknown) => { console.error(error); process.exitCode = 1; });'}
`;

  it('type-checks and works from strict TypeScript apps, ESM and CommonJS (module: nodenext)', () => {
    const esm = consumer('ts-esm', 'module', { 'use.ts': typed(true) });
    const cjs = consumer('ts-cjs', 'commonjs', { 'use.ts': typed(false) });
    // A wrong option must fail the compile: the package's types are really the ones in use.
    consumer('ts-wrong', 'module', { 'use.ts': `import { tail } from 'tail-async';\ntail('x.log', { follow: 'sometimes' });\n` });
    // One compile for the three (nodenext decides per file, by its package.json, ESM or CommonJS).
    writeConsumerTsconfig(app, { include: ['ts-*/*.ts'] });
    const compiled = compile(app);
    expect(compiled.output.replaceAll(/: error (TS\d+).*/g, ': $1').trim().split('\n')).toEqual(['ts-wrong/use.ts(2,17): TS2322']);
    const out = (dir: string) => path.join(app, 'out', path.basename(dir), 'use.js');
    // The CommonJS build really requires the package (the case that type-checked and then crashed).
    expect(readFileSync(out(cjs), 'utf8')).toContain('require("tail-async")');
    expect(readFileSync(out(esm), 'utf8')).toContain("from 'tail-async'");
    for (const dir of [esm, cjs]) {
      writeFileSync(path.join(app, 'out', path.basename(dir), 'package.json'), readFileSync(path.join(dir, 'package.json')));
      expect(run(app, out(dir))).toBe(`1 ${lastLine()}\naborted\n`);
    }
  });
});
