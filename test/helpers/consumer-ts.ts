/**
 * TypeScript as a demanding user of the package runs it: strict settings, `module: nodenext`, and
 * @types/node from this checkout; one `tsc -p` run over a directory (each run spends seconds loading
 * @types/node, so callers compile everything they have at once).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Writes `dir`/tsconfig.json (strict, nodenext, output in `out/`) for `files` (or `include` globs). */
export function writeConsumerTsconfig(dir: string, select: { files: string[] } | { include: string[] }, extra: Record<string, unknown> = {}): void {
  const compilerOptions = {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    noEmitOnError: false,
    rootDir: '.',
    outDir: 'out',
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    types: ['node'],
    ...extra,
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, ...select }));
}

/** Runs this checkout's tsc on the project in `dir`: its status and what it printed. */
export function compile(dir: string): { status: number | null; output: string } {
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: dir, encoding: 'utf8' });
  return { status: tsc.status, output: tsc.stdout + tsc.stderr };
}
