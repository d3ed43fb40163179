/**
 * File names that are not valid UTF-8 (`bad\xff\xfe.log`), read byte-exact: as operands (their bytes
 * taken from /proc/self/cmdline, since Node decodes arguments lossily), matched by a pattern, followed,
 * and named in headers and messages as GNU tail names them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tail } from '../../src/index.js';
import { fromOsBytes, osPath, rawArguments } from '../../src/os-path.js';
import { tempDir } from '../helpers/fs.js';
import { BIN } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';

const BAD = Buffer.from('bad\xff\xfe.log', 'latin1');
const asBuffer = (name: string | Buffer) => (typeof name === 'string' ? Buffer.from(name, 'utf8') : name);

/** `command` run by sh with $BAD set to the bad name's bytes (Node cannot pass such an argument itself). */
function sh(command: string, cwd: string) {
  return spawnSync('sh', ['-c', `BAD=$(printf 'bad\\377\\376.log'); ${command}`], { cwd, env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' } });
}

describe('names that are not valid UTF-8', () => {
  it('keeps any bytes through the string form and back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => asBuffer(osPath(fromOsBytes(bytes))).equals(bytes)),
    );
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => fromOsBytes(Buffer.from(text, 'utf8')) === text && osPath(text) === text));
    expect(fromOsBytes(BAD)).toBe('bad\udcff\udcfe.log');
  });

  it('takes the arguments from the command line the kernel holds, when it agrees with Node', () => {
    const cmdline = Buffer.concat([Buffer.from('node\0--import\0x\0bin.js\0-n\0'), BAD, Buffer.from('\0ok.log\0')]);
    expect(rawArguments(['-n', 'bad\ufffd\ufffd.log', 'ok.log'], () => cmdline)).toEqual(['-n', 'bad\udcff\udcfe.log', 'ok.log']);
    // Another process's line, or none: Node's arguments as they are.
    expect(rawArguments(['-n', 'other'], () => cmdline)).toEqual(['-n', 'other']);
    expect(rawArguments(['x'], () => { throw new Error('no /proc'); })).toEqual(['x']);
  });

  it('reads such a file given as an operand, byte for byte as GNU tail does', async () => {
    const dir = await tempDir();
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), BAD]), 'one\ntwo\n');
    writeFileSync(path.join(dir, 'ok.log'), 'x\n');
    const gnu = sh('tail "$BAD" ok.log', dir);
    const ours = sh(`"${process.execPath}" "${BIN}" --no-follow "$BAD" ok.log`, dir);
    expect(ours.stdout.toString('latin1')).toBe('==> bad\xff\xfe.log <==\none\ntwo\n\n==> ok.log <==\nx\n');
    expect({ stdout: ours.stdout, stderr: ours.stderr.toString(), status: ours.status }).toEqual({ stdout: gnu.stdout, stderr: '', status: 0 });
  });

  it('names a missing one in GNU quoting, with its bytes', async () => {
    const dir = await tempDir();
    const gnu = sh('tail "missing-$BAD"', dir);
    const ours = sh(`"${process.execPath}" "${BIN}" --no-follow "missing-$BAD"`, dir);
    expect(ours.stderr.toString()).toBe("tail-async: cannot open 'missing-bad'$'\\377\\376''.log' for reading: No such file or directory\n");
    expect(ours.stderr.toString()).toBe(gnu.stderr.toString().replace(/^tail:/, 'tail-async:'));
  });

  it('follows such a file by name: appended lines come out', async () => {
    const dir = await tempDir();
    const file = Buffer.concat([Buffer.from(`${dir}/`), BAD]);
    writeFileSync(file, 'first\n');
    const child = spawn('sh', ['-c', `BAD=$(printf 'bad\\377\\376.log'); exec "${process.execPath}" "${BIN}" -n 1 "$BAD"`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await waitFor(() => out === 'first\n', () => `the first line (stdout ${JSON.stringify(out)}, stderr ${JSON.stringify(err)})`, 10_000);
      appendFileSync(file, 'second\n');
      await waitFor(() => out === 'first\nsecond\n', () => `the appended line (stdout ${JSON.stringify(out)}, stderr ${JSON.stringify(err)})`, 10_000);
      expect(err).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('matches such a file with a pattern, and gives its name with the bytes kept', async () => {
    const dir = await tempDir();
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), BAD]), 'from the bad name\n');
    const lines = [];
    for await (const line of tail(path.join(dir, '*.log'), { follow: false })) lines.push(line);
    expect(lines.map((l) => [asBuffer(osPath(l.source)).toString('latin1'), l.text])).toEqual([[path.join(dir, BAD.toString('latin1')), 'from the bad name']]);
  });
});
