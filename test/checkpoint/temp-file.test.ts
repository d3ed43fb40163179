import { readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTempFile, removeLeftoverTemps } from '../../src/checkpoint/temp-file.js';
import { tempDir } from '../helpers/fs.js';

describe('temp files next to the state file', () => {
  it('get a fresh random name each time, mode 0600, created exclusively', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'st.json');
    const a = await createTempFile(target);
    const b = await createTempFile(target);
    try {
      for (const t of [a, b]) {
        expect(path.basename(t.path)).toMatch(/^st\.json\.tmp-[0-9a-f]{16}$/);
        expect((await stat(t.path)).mode & 0o777).toBe(0o600);
      }
      expect(a.path).not.toBe(b.path);
    } finally {
      await a.handle.close();
      await b.handle.close();
    }
  });

  it('left over by a process killed mid-save are removed, and nothing else', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'st.json');
    const ours = ['st.json.tmp-0123456789abcdef', 'st.json.tmp-4711'];
    const others = ['st.json', 'st.json.prev', 'st.json.tmp-notours', 'other.json.tmp-0123456789abcdef', 'st.json.tmp-0123456789abcdef.bak'];
    for (const name of [...ours, ...others]) await writeFile(path.join(dir, name), 'x');
    await symlink(path.join(dir, 'st.json'), path.join(dir, 'st.json.tmp-fedcba9876543210'));
    await removeLeftoverTemps(target);
    expect((await readdir(dir)).sort()).toEqual([...others].sort());
    expect((await stat(target)).isFile()).toBe(true);
  });
});
