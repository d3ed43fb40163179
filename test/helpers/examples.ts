/**
 * The \`@example\` blocks of TSDoc comments, cut out and type-checked with the project's compiler options,
 * each as a module of its own (its \`import … from 'tail-async'\` lines pointed at src/index.ts, the rest
 * of its lines the body of an async function), after a prelude that declares the names it takes as given.
 */
import path from 'node:path';
import ts from 'typescript';
import { ROOT, type DocExample } from './doc-examples.js';

/** An example to type-check: where it is, and its code (see doc-examples.ts, which finds them). */
export type Example = Pick<DocExample, 'where' | 'code'>;

/** An example as a module: its imports first (from 'tail-async': the sources), the rest in an async function. */
export function moduleOf(example: Example, PRELUDE: string): string {
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
export function typeCheck(modules: ReadonlyMap<string, string>): string[] {
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

