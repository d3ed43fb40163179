import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Processor } from './types.js';

/** A plugin that could not be loaded; its message names the plugin and says what is wrong. @internal */
export class PluginError extends Error {
  override readonly name = 'PluginError';
}

/**
 * Loads a processor plugin: an ES module whose default export is a processor (a function, or an object
 * with a `process` method), or which exports a `createProcessor()` factory (called once, may be async)
 * that returns one. `spec` is a path (relative to `cwd`) or a package name resolved from `cwd` like an
 * import would be.
 * @internal
 */
export async function loadPlugin(spec: string, cwd: string): Promise<Processor> {
  const url = locate(spec, cwd);
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginError(`cannot load plugin '${spec}': ${oneLine(error)}`);
  }
  let candidate: unknown = module.default;
  if (typeof module.createProcessor === 'function') {
    try {
      candidate = await (module.createProcessor as () => unknown)();
    } catch (error) {
      throw new PluginError(`plugin '${spec}': createProcessor() failed: ${oneLine(error)}`);
    }
  }
  if (typeof candidate === 'function') {
    const fn = candidate as Processor & { name: string };
    return fn.name ? fn : { name: path.basename(spec).replace(/\.[cm]?js$/, ''), process: fn as Extract<Processor, Function> };
  }
  if (typeof candidate === 'object' && candidate !== null && typeof (candidate as { process?: unknown }).process === 'function') {
    const object = candidate as { name?: unknown };
    return (typeof object.name === 'string' && object.name ? candidate : { ...candidate, name: path.basename(spec) }) as Processor;
  }
  const what = candidate === undefined ? 'has no default export' : `exports ${describe(candidate)} by default`;
  throw new PluginError(
    `plugin '${spec}' ${what}: expected a processor (a function, or an object with a process() method), or a createProcessor() factory`,
  );
}

/** The URL to import for `spec`: a file, or a package resolved from `cwd`. */
function locate(spec: string, cwd: string): string {
  if (isPath(spec)) {
    const file = path.resolve(cwd, spec);
    if (!existsSync(file)) throw new PluginError(`cannot load plugin '${spec}': no such file: ${file}`);
    return pathToFileURL(file).href;
  }
  const entry = resolvePackage(spec, cwd);
  if (!entry) throw new PluginError(`cannot load plugin '${spec}': no such package (looked in node_modules from ${cwd} up)`);
  return pathToFileURL(entry).href;
}

function isPath(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec) || /\.[cm]?js$/.test(spec);
}

/** A package's ESM entry, found the way `import` would from a module in `cwd`. */
function resolvePackage(spec: string, cwd: string): string | undefined {
  const require = createRequire(path.join(cwd, 'noop.js'));
  const [scopeOrName, maybeName, ...subpath] = spec.split('/');
  const name = scopeOrName!.startsWith('@') ? `${scopeOrName}/${maybeName}` : scopeOrName!;
  const rest = scopeOrName!.startsWith('@') ? subpath : [maybeName, ...subpath].filter((p): p is string => p !== undefined);
  for (const dir of require.resolve.paths(name) ?? []) {
    const root = path.join(dir, name);
    const manifest = path.join(root, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; module?: string; main?: string };
    const target = rest.length > 0 ? `./${rest.join('/')}` : '.';
    const exported = pickExport(pkg.exports, target);
    const file = exported ?? (target === '.' ? (pkg.module ?? pkg.main ?? 'index.js') : target);
    return path.join(root, file);
  }
  try {
    return require.resolve(spec);
  } catch {
    return undefined;
  }
}

/** `exports[target]` with the conditions an ESM import in Node uses. */
function pickExport(exports: unknown, target: string): string | undefined {
  if (exports === undefined || exports === null) return undefined;
  if (typeof exports === 'string') return target === '.' ? exports : undefined;
  const map = exports as Record<string, unknown>;
  const keys = Object.keys(map);
  const entry = keys.some((k) => k.startsWith('.')) ? map[target] : target === '.' ? map : undefined;
  return condition(entry);
}

function condition(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) return entry.map(condition).find((e) => e !== undefined);
  if (typeof entry !== 'object' || entry === null) return undefined;
  for (const key of ['import', 'node', 'default']) {
    const found = condition((entry as Record<string, unknown>)[key]);
    if (found) return found;
  }
  return undefined;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without a process() method' : `a ${typeof value}`;
}
