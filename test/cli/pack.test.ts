import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';

const root = path.resolve(fileURLToPath(import.meta.url), '../../..');

describe('the packed package', () => {
  it('installs from its tarball elsewhere and works: --version, a real tail, and the library', async () => {
    const dir = await tempDir();
    // dist/ is already built by `npm test`; pack exactly what would be published.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const app = path.join(dir, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball)], { cwd: app, stdio: 'pipe' });

    // The --serve page ships as it is (no build step at install).
    for (const asset of ['index.html', 'page.js', 'page.css']) expect(existsSync(path.join(app, 'node_modules', 'tail-async', 'assets', 'serve', asset)), asset).toBe(true);
    const bin = path.join(app, 'node_modules', '.bin', 'tail-async');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toMatch(/^tail-async \d+\.\d+\.\d+\n$/);
    const log = path.join(app, 'node_modules', 'tail-async', 'fixtures', 'app.log');
    const expected = spawnSync('tail', ['-n', '3', log], { encoding: 'utf8' }).stdout;
    expect(execFileSync(bin, ['--no-follow', '-n', '3', log], { encoding: 'utf8' })).toBe(expected);

    writeFileSync(path.join(app, 'use.js'), `import { tail } from 'tail-async';\nfor await (const line of tail(process.argv[2], { follow: false, start: { lines: 1 } })) console.log(line.lineNumber, line.text);\n`);
    expect(execFileSync(process.execPath, ['use.js', log], { cwd: app, encoding: 'utf8' })).toBe(`1 ${expected.trim().split('\n').at(-1)}\n`);
  }, 120_000);
});
