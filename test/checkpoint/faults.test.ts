/**
 * Fault injection on the state file, with the real binary (`npm run build` first): a full file system
 * (a small tmpfs where this process may mount one, and always a preloaded write failure as well), a
 * read-only directory as an unprivileged user, and kill -9 at random points, saves included. Every case
 * asserts what an operator relies on: nothing lost (each line written is in the output of one run or the
 * next), the state file loadable, no temp file left behind, and one clear message.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/checkpoint/state.js';
import { tempDir } from '../helpers/fs.js';
import { spawnCli, type Spawned } from '../helpers/spawn.js';
import { waitFor } from '../helpers/wait.js';

const PRELOAD = path.resolve(fileURLToPath(import.meta.url), '../faults/full-disk.mjs');
const isRoot = process.getuid?.() === 0;

/** A directory for the state file whose file system can be made full, and space again. */
interface Disk {
  readonly dir: string;
  /** How the command is started so that it sees the fault. */
  readonly nodeArgs: string[];
  readonly env: Record<string, string>;
  fill(): void;
  free(): void;
  dispose(): void;
}

/** A 256 KiB tmpfs, or undefined where this process may not mount one. */
function tmpfs(root: string): Disk | undefined {
  const dir = path.join(root, 'state');
  mkdirSync(dir);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]).status !== 0) return undefined;
  const filler = path.join(dir, 'filler');
  return {
    dir,
    nodeArgs: [],
    env: {},
    fill: () => {
      try {
        writeFileSync(filler, Buffer.alloc(1024 * 1024));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    },
    free: () => rmSync(filler, { force: true }),
    dispose: () => void spawnSync('umount', [dir]),
  };
}

/** A directory whose writes fail with ENOSPC in the command while a marker file exists (see faults/full-disk.mjs). */
function preloaded(root: string): Disk {
  const dir = path.join(root, 'state');
  mkdirSync(dir);
  const marker = path.join(root, 'full');
  return {
    dir,
    nodeArgs: ['--import', PRELOAD],
    env: { TAIL_ASYNC_FULL_DIR: dir, TAIL_ASYNC_FULL_MARKER: marker },
    fill: () => writeFileSync(marker, ''),
    free: () => rmSync(marker, { force: true }),
    dispose: () => {},
  };
}

/** Appends numbered lines `from`..`to` to `file`. */
function write(file: string, from: number, to: number): void {
  let text = '';
  for (let n = from; n <= to; n++) text += `line ${n}\n`;
  appendFileSync(file, text);
}

/** The numbers of the whole lines in a run's output (a run killed mid-write may end with part of one). */
function numbers(stdout: string): number[] {
  return stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => Number(l.slice(5)));
}

/** Every line 1..total is in one of the outputs, and each output is in order without gaps. */
function expectNothingLost(outputs: string[], total: number): void {
  const runs = outputs.map(numbers);
  for (const run of runs) expect(run.every((n, i) => i === 0 || n === run[i - 1]! + 1)).toBe(true);
  const seen = new Set(runs.flat());
  expect(Array.from({ length: total }, (_, i) => i + 1).filter((n) => !seen.has(n))).toEqual([]);
}

/** The state file and its previous version, where they exist, parse whole. */
function expectLoadable(state: string): void {
  for (const file of [state, `${state}.prev`]) {
    if (existsSync(file)) expect(parseCheckpoint(readFileSync(file, 'utf8'), file).problem).toBeUndefined();
  }
}

/** The state file is loadable, and no temp file is left next to it. */
function expectStateSound(state: string): void {
  expectLoadable(state);
  expect(readdirSync(path.dirname(state)).filter((name) => name.includes('.tmp-'))).toEqual([]);
}

/** The inode of `file` (each save renames a new file into place), or undefined. */
function identity(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.ino;
}

async function finished(run: Spawned): Promise<Spawned['out']> {
  await run.exited;
  return run.out;
}

/** Whether this process may mount a tmpfs (root with the capability; CI may have it), tried once. */
function canMountTmpfs(): boolean {
  if (!isRoot) return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'tail-async-mount-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
    if (mounted) spawnSync('umount', [probe]);
    return mounted;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

type MakeDisk = (root: string) => Disk | undefined;
// The preloaded failure runs everywhere (the start case); the tmpfs where it can be mounted. The case
// over a whole run (2-3 s of saves) runs once: on the tmpfs if there is one, else with the preload.
const disks: Array<[string, MakeDisk]> = [['a preloaded write failure', preloaded]];
if (canMountTmpfs()) disks.push(['a full 256 KiB tmpfs', tmpfs]);
const mainDisk = disks.at(-1)!;

async function setupDisk(make: MakeDisk) {
  const root = await tempDir();
  const disk = make(root);
  if (!disk) throw new Error('mounting a tmpfs worked for the probe, and not now');
  const log = path.join(root, 'app.log');
  write(log, 1, 10);
  return { disk, log, state: path.join(disk.dir, 'st.json') };
}

describe.each(disks)('a full file system at the start (%s)', (_name, make) => {
  it('refuses to start: one line naming the state file, status 2, nothing read, nothing left', async () => {
    const { disk, log, state } = await setupDisk(make);
    try {
      disk.fill();
      const out = await finished(spawnCli(['-n', '+1', '--state-file', state, log], { nodeArgs: disk.nodeArgs, env: disk.env }));
      expect(out).toMatchObject({ status: 2, stdout: '', stderr: `tail-async: cannot write state file '${state}': No space left on device\n` });
      expect(readdirSync(disk.dir).filter((name) => name.startsWith('st.json'))).toEqual([]);
    } finally {
      disk.dispose();
    }
  });
});

describe(`a file system that fills during the run (${mainDisk[0]})`, () => {
  it('reports a full disk once, and space again once; if still full at the end, exits 1 saying so; loses nothing', async () => {
    const { disk, log, state } = await setupDisk(mainDisk[1]);
    try {
      const run1 = spawnCli(['-n', '+1', '--state-file', state, log], { nodeArgs: disk.nodeArgs, env: disk.env });
      await waitFor(() => numbers(run1.out.stdout).length === 10, 'the first lines');
      disk.fill();
      write(log, 11, 20);
      await waitFor(() => run1.out.stderr.includes('No space left'), 'the failed save', 5_000);
      write(log, 21, 30); // saves keep failing: not reported again
      await waitFor(() => numbers(run1.out.stdout).length === 30, 'lines 21-30');
      disk.free();
      write(log, 31, 40);
      await waitFor(() => run1.out.stderr.includes('written again'), 'a save that works again', 5_000);
      expectStateSound(state);
      disk.fill();
      write(log, 41, 50);
      await waitFor(() => numbers(run1.out.stdout).length === 50, 'lines 41-50');
      run1.child.kill('SIGTERM');
      const out1 = await finished(run1);
      expect(out1.status).toBe(1);
      expect(out1.stderr).toBe(
        `tail-async: cannot write state file '${state}': No space left on device\n` +
          `tail-async: state file '${state}' can be written again\n` +
          `tail-async: cannot write state file '${state}': No space left on device\n` +
          `tail-async: state file '${state}' could not be saved before exit: No space left on device\n`,
      );
      expectStateSound(state);
      disk.free();
      write(log, 51, 60);
      const out2 = await finished(spawnCli(['--no-follow', '--state-file', state, log], { nodeArgs: disk.nodeArgs, env: disk.env }));
      expect(out2).toMatchObject({ status: 0, stderr: '' });
      expectNothingLost([out1.stdout, out2.stdout], 60);
      expectStateSound(state);
    } finally {
      disk.dispose();
    }
  });
});

describe('a read-only state directory, as an unprivileged user', () => {
  // Root ignores permissions: the command runs without capabilities (see `unprivileged`).
  const user = { unprivileged: true };

  async function setup() {
    const root = await tempDir();
    chmodSync(root, 0o755);
    const dir = path.join(root, 'state');
    mkdirSync(dir);
    const log = path.join(root, 'app.log');
    write(log, 1, 10);
    chmodSync(log, 0o644);
    return { dir, log, state: path.join(dir, 'st.json') };
  }

  it('is refused at the start: one line, status 2, nothing read', async () => {
    const { dir, log, state } = await setup();
    chmodSync(dir, 0o555);
    const out = await finished(spawnCli(['-n', '+1', '--state-file', state, log], user));
    expect(out).toMatchObject({ status: 2, stdout: '', stderr: `tail-async: cannot write state file '${state}': Permission denied\n` });
  });

  it('made read-only during the run: reported once, status 1 at the end, nothing lost', async () => {
    const { dir, log, state } = await setup();
    const run1 = spawnCli(['-n', '+1', '--state-file', state, log], user);
    await waitFor(() => numbers(run1.out.stdout).length === 10, 'the first lines');
    chmodSync(dir, 0o555);
    write(log, 11, 20);
    await waitFor(() => run1.out.stderr.includes('Permission denied'), 'the failed save', 5_000);
    run1.child.kill('SIGTERM');
    const out1 = await finished(run1);
    expect(out1.status).toBe(1);
    expect(out1.stderr).toBe(
      `tail-async: cannot write state file '${state}': Permission denied\n` + `tail-async: state file '${state}' could not be saved before exit: Permission denied\n`,
    );
    chmodSync(dir, 0o755);
    // A temp file made just before the directory turned read-only cannot be removed from it: the next
    // start removes it.
    expectLoadable(state);
    write(log, 21, 30);
    const out2 = await finished(spawnCli(['--no-follow', '--state-file', state, log], user));
    expect(out2).toMatchObject({ status: 0, stderr: '' });
    expectNothingLost([out1.stdout, out2.stdout], 30);
    expectStateSound(state);
  });
});

describe('kill -9, saves included', () => {
  // 28 kills in the suite (7 at each moment); TAIL_ASYNC_KILL_RUNS=N for a longer run.
  const KILLS = Number(process.env.TAIL_ASYNC_KILL_RUNS ?? 28);
  it(`${KILLS} times in a row: nothing lost, the state file always whole, no temp file or lock in the way`, async () => {
    const root = await tempDir();
    const log = path.join(root, 'app.log');
    const state = path.join(root, 'st.json');
    writeFileSync(log, '');
    const temps = () => readdirSync(root).filter((name) => name.startsWith('st.json.tmp-'));
    const outputs: string[] = [];
    let written = 0;
    let duringSave = 0;
    for (let i = 0; i < KILLS; i++) {
      write(log, written + 1, written + 20);
      written += 20;
      const leftovers = new Set(temps());
      const saved = identity(state);
      const saving = () => temps().some((name) => !leftovers.has(name));
      const run = spawnCli(['-n', '+1', '--state-file', state, log]);
      const exited = () => run.child.exitCode !== null || run.child.signalCode !== null;
      // Killed during its first save (or at its first output); after SIGTERM, during its last save, or
      // just after it (progress saved, lock left behind); or between saves, after more output.
      const mode = i % 4;
      if (mode === 0) await until(() => saving() || run.out.stdout.length > 0);
      if (mode === 1 || mode === 2) {
        // Its first save done (a new state file in place), so that what follows SIGTERM is its last.
        await until(() => run.out.stdout.length > 0 && identity(state) !== saved);
        const first = identity(state);
        run.child.kill('SIGTERM');
        await until(mode === 1 ? () => saving() || exited() : () => identity(state) !== first || exited());
      }
      if (mode === 3) {
        await until(() => run.out.stdout.length > 0);
        write(log, written + 1, written + 20);
        written += 20;
        await until(() => run.out.stdout.endsWith(`line ${written}\n`));
      }
      if (saving()) duringSave++;
      run.child.kill('SIGKILL');
      const out = await finished(run);
      expect(out.stderr).toBe('');
      outputs.push(out.stdout);
      // Temp files of a killed save stay until the next start removes them: checked at the end.
      expectLoadable(state);
    }
    // Some runs saved progress (those that got to a last save): the last run resumes after it.
    const resume = parseCheckpoint(readFileSync(state, 'utf8'), state).entries[0]!.line;
    expect(resume).toBeGreaterThan(1);
    const last = await finished(spawnCli(['--no-follow', '--state-file', state, log]));
    expect(last).toMatchObject({ status: 0, stderr: '' });
    outputs.push(last.stdout);
    expectNothingLost(outputs, written);
    expectStateSound(state);
    expect(existsSync(`${state}.lock`)).toBe(false);
    expect(numbers(last.stdout)).toEqual(Array.from({ length: written - resume + 1 }, (_, i) => resume + i));
    console.info(`kill -9 loop: ${duringSave} of ${KILLS} kills landed while a temp file was being written (a save or the lock)`);
  }, 60_000 + KILLS * 1_000);
});

/** Polls `check` every millisecond (a save lasts a few): a kill that lands during one is the point. */
async function until(check: () => boolean): Promise<void> {
  await waitFor(check, 'the moment to kill', 5_000, 1);
}
