import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Where the syntax error of a plugin is, as `file:line:column`, when it is in the plugin's own file;
 * undefined when that file parses (the error is then in a module it imports) or cannot be checked.
 * A SyntaxError thrown by `import()` carries neither file nor position; `node --check` (V8's own parser,
 * the file's own module type) says both. It runs only after an import failed.
 * @internal
 */
export function syntaxErrorAt(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const file = fileURLToPath(url);
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  if (check.status === 0 || typeof check.stderr !== 'string') return undefined;
  // "FILE:LINE", the source line, then a caret under the column.
  const lines = check.stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${file}:`));
  const line = at < 0 ? undefined : /:(\d+)$/.exec(lines[at]!)?.[1];
  const caret = at < 0 ? -1 : (lines[at + 2] ?? '').indexOf('^');
  if (line === undefined) return undefined;
  return caret >= 0 ? `${file}:${line}:${caret + 1}` : `${file}:${line}`;
}
