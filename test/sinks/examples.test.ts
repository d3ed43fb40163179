/**
 * The `@example` blocks of src/sinks compile: each is cut out of its TSDoc comment and type-checked with the
 * project's compiler options, as a module of its own (its `import … from 'tail-async'` lines pointed at
 * src/index.ts, the rest of its lines the body of an async function). The names an example takes as given
 * (a sink, a batch…) are declared below with the types they stand for.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SINKS = path.join(ROOT, 'src/sinks');
/** Where the examples are made to live (they are never written): imports are relative to it. */
const HERE = path.join(ROOT, 'test/sinks');

/** What every example may use: the public API, the internals of src/sinks, and the names it takes as given. */
const PRELUDE = `
import { tail, redisSink, natsSink, sinkFromUrl, type Sink, type SinkLine, type Line, type SendResult, type FileIdentity, type RetryOptions, type OutageEvent, type PipeResult } from '../../src/index.js';
import { ABORTED, untilAborted } from '../../src/sinks/abortable.js';
import { describeSinkError } from '../../src/sinks/describe.js';
import { LineNames } from '../../src/sinks/identity.js';
import { Outages } from '../../src/sinks/outage.js';
import { rawBytes } from '../../src/sinks/raw.js';
import { pipe, type ShippingSource } from '../../src/sinks/pipe.js';
import { EntryIds, formatId, IdText } from '../../src/sinks/redis-ids.js';
import { backoff } from '../../src/sinks/retry.js';
import { compileTemplate } from '../../src/sinks/template.js';
import type { Origin } from '../../src/sources/resume.js';
declare const sink: Sink;
declare const batch: Line[];
declare const batches: AsyncIterator<Line[]>;
declare const origins: Origin[];
declare const source: ShippingSource;
declare const stop: AbortController;
declare const error: unknown;
declare const record: SinkLine;
declare const key: string;
void [tail, redisSink, natsSink, sinkFromUrl, ABORTED, untilAborted, describeSinkError, LineNames, Outages, rawBytes, pipe, EntryIds, formatId, IdText, backoff, compileTemplate];
void [sink, batch, batches, origins, source, stop, error, record, key];
`;

interface Example {
  /** `file:line` of the block's first line. */
  readonly where: string;
  readonly code: string;
}

/** The ```ts blocks of the TSDoc comments of `file`, without their leading ` * `. */
function examplesOf(file: string): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Example[] = [];
  let block: string[] | undefined;
  let start = 0;
  for (const [i, line] of lines.entries()) {
    const text = line.replace(/^\s*\* ?/, '');
    if (block === undefined && /^\s*\*\s*```ts\s*$/.test(line)) {
      block = [];
      start = i + 2;
    } else if (block !== undefined && /^\s*\*\s*```\s*$/.test(line)) {
      out.push({ where: `${path.relative(ROOT, file)}:${start}`, code: block.join('\n') });
      block = undefined;
    } else if (block !== undefined) block.push(text);
  }
  return out;
}

/** An example as a module: its imports first (from 'tail-async': the sources), the rest in an async function. */
function moduleOf(example: Example): string {
  const lines = example.code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l)).map((l) => l.replace(/from 'tail-async'/, "from '../../src/index.js'"));
  const body = lines.filter((l) => !/^import\s/.test(l));
  // The prelude's imports of the same names would clash with the example's own.
  const own = new Set(imports.flatMap((l) => /\{([^}]*)\}/.exec(l)?.[1]!.split(',').map((n) => n.trim()) ?? []));
  const prelude = PRELUDE.split('\n')
    .map((l) => (l.startsWith('import {') ? l.replace(/\{([^}]*)\}/, (_, names: string) => `{ ${names.split(',').map((n) => n.trim()).filter((n) => !own.has(n.replace(/^type /, ''))).join(', ')} }`) : l))
    .map((l) => (l.startsWith('void [tail') ? `void [${l.slice(6, -2).split(', ').filter((n) => !own.has(n)).join(', ')}];` : l))
    .join('\n');
  return `${imports.join('\n')}\n${prelude}\nexport async function example(): Promise<void> {\n${body.join('\n')}\n}\n`;
}

/** Type-checks `modules` (name → text) with the options of tsconfig.json; the diagnostics, one line each. */
function typeCheck(modules: ReadonlyMap<string, string>): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!config) throw new Error('cannot read tsconfig.json');
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.readFile = (name) => modules.get(path.resolve(name)) ?? read(name);
  host.fileExists = (name) => modules.has(path.resolve(name)) || exists(name);
  const program = ts.createProgram([...modules.keys()], options, host);
  // The examples' diagnostics only: src/ is type-checked by `npm run typecheck` (checking it all here took 5x longer).
  const files = program.getSourceFiles().filter((f) => modules.has(path.resolve(f.fileName)));
  return [...program.getOptionsDiagnostics(), ...files.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])]
    .map((d) => {
      const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
}

describe('the TSDoc examples of src/sinks', () => {
  const examples = readdirSync(SINKS)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .flatMap((f) => examplesOf(path.join(SINKS, f)));

  it('are found: every module that exports a function or class shows one', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  it('type-check with the project’s compiler options', () => {
    const modules = new Map(examples.map((e, i) => [path.join(HERE, `example-${i}.ts`), moduleOf(e)]));
    const names = new Map([...modules.keys()].map((name, i) => [path.basename(name), examples[i]!.where]));
    const errors = typeCheck(modules).map((line) => line.replace(/^(example-\d+\.ts):\d+/, (m, name: string) => `${names.get(name)} (${m})`));
    expect(errors).toEqual([]);
  }, 60_000);
});
