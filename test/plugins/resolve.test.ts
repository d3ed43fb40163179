import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fs.js';
import { isPluginPath } from '../../src/plugins/resolve.js';

/** A directory with app.log (one line, "hello") and the given files. */
async function setup(files: Record<string, string>): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  await writeFile(file, 'hello\n');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return { dir, file };
}

const pkg = (json: object) => JSON.stringify({ type: 'module', ...json });

describe('--plugin: which module a name stands for', () => {
  it.each([
    ['./x.mjs', true],
    ['../x.mjs', true],
    ['/abs/x.mjs', true],
    ['file:///abs/x.mjs', true],
    ['big.js', false],
    ['x.mjs', false],
    ['@scope/name', false],
    ['name/sub/path', false],
    ['.hidden', false],
  ])('takes %s for a path: %s', (spec, expected) => {
    expect(isPluginPath(spec)).toBe(expected);
  });

  it('resolves a package subpath through an "exports" pattern, as import() does', async () => {
    const { dir, file } = await setup({
      'node_modules/tools/package.json': pkg({ name: 'tools', exports: { './*': './lib/*.mjs' } }),
      'node_modules/tools/lib/shout.mjs': "export default (t) => t.toUpperCase() + '!';",
    });
    const result = await runCli(['--no-follow', '--plugin', 'tools/shout', file], { cwd: dir });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout.toString()).toBe('HELLO!\n');
  });

  it('takes a bare name ending in .js for the package, not for the file of the current directory', async () => {
    const { dir, file } = await setup({
      'big.js': "export default (t) => 'the local file';",
      'node_modules/big.js/package.json': pkg({ name: 'big.js', main: 'index.js' }),
      'node_modules/big.js/index.js': "export default (t) => 'the package';",
    });
    const result = await runCli(['--no-follow', '--plugin', 'big.js', file], { cwd: dir });
    expect(result.stdout.toString()).toBe('the package\n');
    const local = await runCli(['--no-follow', '--plugin', './big.js', file], { cwd: dir });
    expect(local.stdout.toString()).toBe('the local file\n');
  });

  it.each([
    ['a bare name that is only a file here', { 'big.js': 'export default () => {};' }, 'big.js', "cannot load plugin 'big.js': no such package; a file of the current directory is written './big.js'"],
    ['a package.json that is not JSON', { 'node_modules/broken/package.json': '{ "name": "broken", ' }, 'broken', /^cannot load plugin 'broken': invalid package\.json: \/.*\/node_modules\/broken\/package\.json: .*JSON/],
    ['a subpath the package does not export', { 'node_modules/tools/package.json': pkg({ name: 'tools', exports: { './a': './a.mjs' } }) }, 'tools/b', /^cannot load plugin 'tools\/b': Package subpath '\.\/b' is not defined by "exports" in \//],
    ['a syntax error', { 'syntax.mjs': 'const a = 1;\nexport default {\n  process(t) { return t +; }\n};\n' }, './syntax.mjs', /^cannot load plugin '\.\/syntax\.mjs': \/.*\/syntax\.mjs:3:26: SyntaxError: Unexpected token ';'$/],
    ['a syntax error in a module it imports', { 'outer.mjs': "export { default } from './inner.mjs';\n", 'inner.mjs': 'export default {' }, './outer.mjs', "cannot load plugin './outer.mjs': SyntaxError: Unexpected end of input"],
  ])('refuses %s in one line, with status 2, before opening any file', async (_what, files, spec, message) => {
    const { dir } = await setup(files);
    const result = await runCli(['--no-follow', '--plugin', spec, path.join(dir, 'missing.log')], { cwd: dir });
    expect(result.status).toBe(2);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.replace(/^tail-async: /, '')).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  });
});
