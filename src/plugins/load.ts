import { optionError } from '../errors.js';
import type { ProcessorObject } from '../chain/types.js';
import { resolvePlugin } from './resolve.js';
import { instantiate } from './module.js';
import { isolatedPlugin } from './isolated.js';

/**
 * Options of {@link loadPlugin}.
 *
 * @example
 * ```ts
 * const mine = await loadPlugin('./fast-filter.mjs', { isolation: 'none' }); // my own code: no thread
 * const theirs = await loadPlugin('acme-log-tools/redact', { cwd: '/srv/app' }); // a worker thread
 * ```
 */
export interface PluginOptions {
  /** Where a relative path, or a package, is resolved from. Default: `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Where the plugin runs. `'worker'` (default): in a worker thread of its own, so that a synchronous
   * endless loop, `process.exit()` or a crash costs the line it happened on (the thread is ended and
   * started again) and the stream stays responsive to signals and `close()`. `'none'`: in the calling
   * thread, as a processor passed to `tail()` does; faster with very cheap plugins, but a plugin stuck in
   * synchronous code then stops everything, and `process.exit()` ends the process.
   */
  readonly isolation?: 'worker' | 'none';
  /** How long, in ms, the plugin may take to load (its module and `createProcessor()`). Default 30 000. */
  readonly loadTimeout?: number;
}

/**
 * Loads a processor plugin: an ES module whose default export is a processor (a function, or an object
 * with a `process` method), or which exports a `createProcessor()` factory (called once, may be async)
 * that returns one. `spec` is a path when it starts with `./`, `../` or `/` (taken from `cwd`), and a
 * package otherwise (`name`, `@scope/name`, `name/subpath`), resolved exactly as Node resolves an
 * `import` from a module in `cwd`. The result is a processor for `tail({ processors })` or
 * {@link processLines}. Plugins run with the user's full rights (environment, files, network): load only
 * code you trust. Throws a {@link PluginError} (one line, naming the plugin) when it cannot be loaded.
 *
 * @example
 * ```ts
 * const redact = await loadPlugin('./redact.mjs');
 * for await (const line of tail('app.log', { processors: [redact] })) console.log(line.text);
 * ```
 */
export async function loadPlugin(spec: string, options: PluginOptions = {}): Promise<ProcessorObject> {
  if (typeof spec !== 'string') throw optionError('loadPlugin(): the plugin must be named by a string');
  const isolation = options.isolation ?? 'worker';
  if (isolation !== 'worker' && isolation !== 'none') throw optionError(`loadPlugin(): isolation must be 'worker' or 'none', not ${String(isolation)}`);
  const loadTimeout = options.loadTimeout ?? 30_000;
  if (!Number.isSafeInteger(loadTimeout) || loadTimeout <= 0) throw optionError(`loadPlugin(): loadTimeout must be a whole number > 0, not ${String(loadTimeout)}`);
  const url = resolvePlugin(spec, options.cwd ?? process.cwd());
  return isolation === 'worker' ? isolatedPlugin(url, spec, loadTimeout) : instantiate(url, spec);
}
