/**
 * The folder layout is the architecture: these rules keep it so. Imports are read from the source text
 * (static `import … from`, `export … from` and dynamic `import()`), type-only imports included: a cycle
 * of types is still two modules that cannot be understood one without the other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function modules(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The modules of src/ that `file` imports, as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => path.relative(SRC, path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts'))));
}

const graph = new Map(modules().map((file) => [path.relative(SRC, file), importsOf(file)]));

describe('module boundaries', () => {
  it('every relative import names a module that exists', () => {
    const missing = [...graph].flatMap(([from, to]) => to.filter((t) => !graph.has(t)).map((t) => `${from} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle in src/', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (m: string) => {
      state.set(m, 'open');
      stack.push(m);
      for (const next of graph.get(m) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(m, 'done');
    };
    for (const m of graph.keys()) if (!state.has(m)) visit(m);
    expect(cycles).toEqual([]);
  });

  it('keeps the sources independent of the checkpoint (they meet through sources/resume.ts)', () => {
    const wrong = [...graph].filter(([from]) => from.startsWith('sources/')).flatMap(([from, to]) => to.filter((t) => t.startsWith('checkpoint/')).map((t) => `${from} -> ${t}`));
    expect(wrong).toEqual([]);
  });

  it('keeps the sinks apart: no CLI, checkpoint or chain; of the sources, only the port (sources/resume.ts)', () => {
    const allowed = (t: string) => !/^(cli|checkpoint|chain)\//.test(t) && (!t.startsWith('sources/') || t === 'sources/resume.ts');
    const wrong = [...graph].filter(([from]) => from.startsWith('sinks/')).flatMap(([from, to]) => to.filter((t) => !allowed(t)).map((t) => `${from} -> ${t}`));
    expect(wrong).toEqual([]);
  });

  it('lets the engine know of the sinks only through their contract and the pipe', () => {
    const wrong = [...graph]
      .filter(([from]) => !/^(sinks|cli)\//.test(from) && from !== 'index.ts')
      .flatMap(([from, to]) => to.filter((t) => t.startsWith('sinks/') && t !== 'sinks/contract.ts' && t !== 'sinks/pipe.ts').map((t) => `${from} -> ${t}`));
    expect(wrong).toEqual([]);
  });

  it('loads the engine clients (ioredis, @nats-io/*) only in their sink, and only when it opens', () => {
    const clients = /^(ioredis|@nats-io\/)/;
    const wrong: string[] = [];
    for (const file of modules()) {
      const from = path.relative(SRC, file);
      const text = readFileSync(file, 'utf8');
      const statics = [...text.matchAll(/(?:^|\n)\s*(import|export)\s(type\s)?[^;]*?from\s+'([^']+)'/g)].filter((m) => clients.test(m[3]!));
      const dynamic = [...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].filter((m) => clients.test(m[1]!));
      // A type import is erased; a value import would load the client with tail-async itself.
      for (const m of statics) if (m[2] === undefined) wrong.push(`${from}: static import of ${m[3]}`);
      // The Redis sink's modules (redis.ts, and redis-writes.ts for the client's type) and the NATS sink's.
      const owner = /^sinks\/redis(-writes)?\.ts$/.test(from) ? /^ioredis$/ : from === 'sinks/nats.ts' ? /^@nats-io\// : undefined;
      for (const m of [...statics.map((x) => x[3]!), ...dynamic.map((x) => x[1]!)]) if (!owner?.test(m)) wrong.push(`${from}: ${m}`);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the line framer and the processing chain free of I/O modules', () => {
    const io = /^(sources|checkpoint|cli)\//;
    const wrong = [...graph].filter(([from]) => /^(lines|chain)\//.test(from)).flatMap(([from, to]) => to.filter((t) => io.test(t)).map((t) => `${from} -> ${t}`));
    expect(wrong).toEqual([]);
  });
});
