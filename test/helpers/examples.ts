/**
 * The `@example` blocks of TSDoc comments, cut out and type-checked with the project's compiler options,
 * each as a module of its own (its `import … from 'tail-async'` lines pointed at src/index.ts, the rest
 * of its lines the body of an async function), after a prelude that imports and declares what the
 * examples take as given.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Example {
  /** `file:line` of the block's first line. */
  readonly where: string;
  readonly code: string;
}

/** The ```ts blocks of the TSDoc comments of `file`, without their leading ` * `. */
export function examplesOf(file: string): Example[] {
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
function moduleOf(example: Example, prelude: string): string {
  const lines = example.code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l)).map((l) => l.replace(/from 'tail-async'/, "from '../../src/index.js'"));
  const body = lines.filter((l) => !/^import\s/.test(l));
  // The prelude's imports of the same names would clash with the example's own.
  const own = new Set(imports.flatMap((l) => /\{([^}]*)\}/.exec(l)?.[1]!.split(',').map((n) => n.trim()) ?? []));
  const given = prelude.split('\n')
    .map((l) => (l.startsWith('import {') ? l.replace(/\{([^}]*)\}/, (_, names: string) => `{ ${names.split(',').map((n) => n.trim()).filter((n) => !own.has(n.replace(/^type /, ''))).join(', ')} }`) : l))
    .map((l) => (l.startsWith('void [') ? `void [${l.slice(6, -2).split(', ').filter((n) => !own.has(n)).join(', ')}];` : l))
    .join('\n');
  return `${imports.join('\n')}\n${given}\nexport async function example(): Promise<void> {\n${body.join('\n')}\n}\n`;
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


/** Type-checks `examples` as modules of directory `here`, each after `prelude`: the diagnostics, each naming its example's place. */
export function exampleErrors(examples: readonly Example[], prelude: string, here: string): string[] {
  const modules = new Map(examples.map((e, i) => [path.join(here, `example-${i}.ts`), moduleOf(e, prelude)]));
  const names = new Map([...modules.keys()].map((name, i) => [path.basename(name), examples[i]!.where]));
  return typeCheck(modules).map((line) => line.replace(/^(example-\d+\.ts):\d+/, (m, name: string) => `${names.get(name)} (${m})`));
}
