import path from 'node:path';
import { PluginError } from '../errors.js';
import type { Processor, ProcessorObject } from '../chain/types.js';
import { syntaxErrorAt } from './syntax.js';

/**
 * Imports a plugin and returns its processor as an object: the module's default export (a function, or
 * an object with a `process` method), or what its `createProcessor()` factory returns (called once, may
 * be async). Every way this can fail is a one-line {@link PluginError} naming the plugin; a syntax error
 * in the plugin's own file says where (file, line, column). Used in this thread (`isolation: 'none'`) and
 * in a plugin's worker thread alike.
 * @internal
 * @example
 * ```ts
 * const redact = await instantiate('file:///srv/redact.mjs', './redact.mjs'); // { name: 'redact', process }
 * ```
 */
export async function instantiate(url: string, spec: string): Promise<ProcessorObject> {
  const fail = (reason: string, cause?: unknown) => new PluginError(reason, { plugin: spec, cause });
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof SyntaxError ? syntaxErrorAt(url) : undefined;
    throw fail(`cannot load plugin '${spec}': ${where ? `${where}: ` : ''}${oneLine(error)}`, error);
  }
  let candidate: unknown = module.default;
  if (typeof module.createProcessor === 'function') {
    try {
      candidate = await (module.createProcessor as () => unknown)();
    } catch (error) {
      throw fail(`plugin '${spec}': createProcessor() failed: ${oneLine(error)}`, error);
    }
  }
  const fallbackName = path.basename(spec).replace(/\.[cm]?js$/, '');
  if (typeof candidate === 'function') {
    const fn = candidate as Extract<Processor, Function>;
    // `export default (t) => …` is named 'default' by the language: the file says more.
    return { name: fn.name && fn.name !== 'default' ? fn.name : fallbackName, process: fn };
  }
  if (typeof candidate === 'object' && candidate !== null && typeof (candidate as { process?: unknown }).process === 'function') {
    const object = candidate as ProcessorObject;
    if (typeof object.name === 'string' && object.name) return object;
    // Named through a child, whatever the object is (frozen, a class instance): its methods still see its fields through `this`.
    return Object.create(object, { name: { value: fallbackName, enumerable: true } }) as ProcessorObject;
  }
  const what = candidate === undefined ? 'has no default export' : `exports ${describe(candidate)} by default`;
  throw fail(`plugin '${spec}' ${what}: expected a processor (a function, or an object with a process() method), or a createProcessor() factory`);
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
