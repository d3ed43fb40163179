import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolve as esmResolve } from 'import-meta-resolve';
import { PluginError } from '../errors.js';

/**
 * True when `spec` names a file: it starts with `./`, `../` or `/` (or is a `file:` URL). Anything else,
 * `big.js` included, is a package name, as in an `import`.
 * @internal
 */
export function isPluginPath(spec: string): boolean {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/') || spec.startsWith('file:');
}

/**
 * The URL of the module `--plugin spec` names: a path is taken from `cwd`; a package (with or without a
 * subpath) is resolved exactly as Node's ESM resolver would resolve `import(spec)` from a module in `cwd`
 * (`exports` and their patterns and conditions, `main`, self-reference), by import-meta-resolve.
 * Throws a one-line {@link PluginError} naming the plugin when there is none.
 * @internal
 * @example
 * ```ts
 * resolvePlugin('./redact.mjs', '/srv');  // file:///srv/redact.mjs
 * resolvePlugin('my-plugins/redact', '/srv'); // file:///srv/node_modules/my-plugins/lib/redact.mjs
 * ```
 */
export function resolvePlugin(spec: string, cwd: string): string {
  const fail = (reason: string, cause?: unknown) => new PluginError(`cannot load plugin '${spec}': ${reason}`, { plugin: spec, cause });
  if (spec === '') throw fail('the name is empty');
  if (isPluginPath(spec)) {
    const file = spec.startsWith('file:') ? new URL(spec) : pathToFileURL(path.resolve(cwd, spec));
    if (!existsSync(file)) throw fail(`no such file: ${file.protocol === 'file:' ? decodeURIComponent(file.pathname) : spec}`);
    return file.href;
  }
  try {
    return esmResolve(spec, pathToFileURL(path.join(cwd, path.sep)).href);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && existsSync(path.resolve(cwd, spec))) {
      throw fail(`no such package; a file of the current directory is written './${spec}'`, error);
    }
    if (code === 'ERR_MODULE_NOT_FOUND') throw fail(`no such package (looked in node_modules from ${cwd} up)`, error);
    // "Invalid package config PATH while importing "x" from BASE. REASON": the file and the reason are what matter.
    const invalid = code === 'ERR_INVALID_PACKAGE_CONFIG' ? /^Invalid package config (.+?)(?: while importing .*?)?\. (.*)$/.exec(firstLine(error)) : null;
    if (invalid) throw fail(`invalid package.json: ${invalid[1]}: ${invalid[2]}`, error);
    throw fail(firstLine(error), error);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}
