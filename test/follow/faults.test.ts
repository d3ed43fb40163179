/**
 * Faults in the source layer never end the run: each is a notice for that name, in GNU's words, and the
 * other files go on. The real command, spawned (the faults used to end it with a stack trace).
 * TAIL_ASYNC_BIN points these tests at another build (to show what an older one did).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, chmodSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, symlinkSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fs.js';
import { waitFor } from '../helpers/wait.js';
import { unprivileged } from '../helpers/spawn.js';

const bin = process.env.TAIL_ASYNC_BIN ?? path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');
const env = { ...process.env, TERM: 'dumb', TZ: 'UTC', NO_COLOR: '1' };
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function start(args: string[], options: SpawnOptions = {}, withoutPrivileges = false) {
  const [command, argv] = withoutPrivileges ? unprivileged(process.execPath, [bin, ...args]) : [process.execPath, [bin, ...args]];
  const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.push(child);
  const out = { stdout: '', stderr: '', status: undefined as number | null | undefined };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (status, signal) => {
      out.status = status ?? (signal ? 128 + (signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 9) : null);
      resolve(out.status);
    }),
  );
  /** Ends the run with SIGTERM and returns its status (143 when it ended by itself on the signal). */
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    return out.status;
  };
  return { child, out, exited, stop };
}

/**
 * Appends a line to `other` and waits for it to come out: the run is alive and reading. Each call writes
 * new lines, so a run that ended meanwhile cannot pass. Until the run has placed its start at the end of
 * `other` (-n 0), a line may be taken for history: a new one is written every 250 ms until one comes out.
 */
let marks = 0;
async function alive(run: ReturnType<typeof start>, other: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const mark = `alive ${++marks}`;
    appendFileSync(other, `${mark}\n`);
    const wait = Math.min(250, Math.max(deadline - Date.now(), 0));
    const seen = await waitFor(() => run.out.stdout.includes(`${mark}\n`) || run.out.status !== undefined, mark, wait).then(() => true, () => false);
    if (seen || Date.now() >= deadline) {
      expect(run.out.stdout, `nothing written to ${other} comes out; stderr: ${run.out.stderr}`).toContain(`${mark}\n`);
      expect(run.out.status, run.out.stderr).toBeUndefined();
      return;
    }
  }
}

/**
 * The run is still there after `polls` rounds of its safety poll with nothing written (a quiet file is
 * where the poll looks, and where an uncaught error used to end the run). A negative can only be
 * watched for a while: this waits for an exit that must not come.
 */
async function survivesQuiet(run: ReturnType<typeof start>, pollSeconds: number, polls = 10): Promise<void> {
  await waitFor(() => run.out.status !== undefined, 'an exit', pollSeconds * 1000 * polls).catch(() => {});
  expect(run.out.status, run.out.stderr).toBeUndefined();
}

/** Paths of the descriptors process `pid` holds. */
function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
}

describe('faults in the source layer', () => {
  it.each([
    ['a symbolic link loop', 'Too many levels of symbolic links', (dir: string) => (symlinkSync('loop', path.join(dir, 'loop')), path.join(dir, 'loop'))],
    ['a path through a regular file', 'Not a directory', (dir: string) => (writeFileSync(path.join(dir, 'plain'), ''), path.join(dir, 'plain', 'x.log'))],
    ['a name too long', 'File name too long', (dir: string) => path.join(dir, 'x'.repeat(300))],
  ])('an operand that is %s is reported once, and the others are followed on through the safety poll', async (_what, text, make) => {
    const dir = await tempDir();
    const bad = make(dir);
    const other = path.join(dir, 'other.log');
    writeFileSync(other, '');
    const run = start(['-F', '-s', '0.05', '-n', '0', bad, other]);
    await waitFor(() => run.out.stderr.includes(text), `the ${text} notice`);
    // Ten quiet safety polls later (-s 0.05), still running and reading the other file.
    await alive(run, other);
    await survivesQuiet(run, 0.05);
    await alive(run, other);
    expect(run.out.stderr.split('\n').filter((l) => l.includes(text))).toEqual([`tail-async: cannot open '${bad}' for reading: ${text}`]);
    expect(run.out.stderr).not.toMatch(/internal error|\n {4}at /);
    expect(await run.stop()).toBe(143);
  });

  it('a followed file replaced by a symbolic link loop: reported in GNU words, the other files go on', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'app.log');
    const other = path.join(dir, 'other.log');
    writeFileSync(file, '');
    writeFileSync(other, '');
    const run = start(['-F', '-s', '0.05', '-n', '0', file, other]);
    await alive(run, other);
    // Replaced in one step (a look between an unlink and a symlink would see the name missing first,
    // and GNU's -F says nothing more when a missing name turns into a loop).
    symlinkSync('app.log', path.join(dir, 'loop.tmp'));
    renameSync(path.join(dir, 'loop.tmp'), file);
    await waitFor(() => run.out.stderr.includes('Too many levels of symbolic links'), 'the loop to be reported');
    await survivesQuiet(run, 0.05);
    await alive(run, other);
    expect(run.out.stderr).toContain(`'${file}' has become inaccessible: Too many levels of symbolic links`);
    expect(run.out.stderr).not.toMatch(/internal error|\n {4}at /);
    expect(await run.stop()).toBe(143);
  });

  it('a directory that becomes unreadable while followed: reported, the others go on; readable again, followed again', async () => {
    const root = await tempDir();
    chmodSync(root, 0o755);
    const dir = path.join(root, 'd');
    mkdirSync(dir, { mode: 0o755 });
    const file = path.join(dir, 'app.log');
    const other = path.join(root, 'other.log');
    writeFileSync(file, '');
    writeFileSync(other, '');
    // Root reads everything: the command runs without capabilities (see `unprivileged`).
    const run = start(['-F', '-s', '0.05', '-n', '0', file, other], {}, true);
    await alive(run, other);
    chmodSync(dir, 0o000);
    await waitFor(() => run.out.stderr.includes('Permission denied'), 'the lost permission to be reported');
    await survivesQuiet(run, 0.05);
    await alive(run, other);
    chmodSync(dir, 0o755);
    appendFileSync(file, 'readable again\n');
    await waitFor(() => run.out.stdout.includes('readable again\n'), 'the file to be read again');
    expect(run.out.stderr).toContain(`'${file}' has become inaccessible: Permission denied`);
    expect(run.out.stderr).not.toMatch(/internal error|\n {4}at /);
    expect(await run.stop()).toBe(143);
  });

  it('a name that becomes a directory and then a file again is followed again, as GNU tail does', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, 'v1\n');
    const run = start(['-F', '-s', '0.05', file]);
    await waitFor(() => run.out.stdout === 'v1\n', 'v1');
    unlinkSync(file);
    mkdirSync(file);
    await waitFor(() => run.out.stderr.includes('untailable'), 'the directory to be reported');
    rmdirSync(file);
    writeFileSync(file, 'v2\n');
    await waitFor(() => run.out.stdout === 'v1\nv2\n', 'v2');
    appendFileSync(file, 'v3\n');
    await waitFor(() => run.out.stdout === 'v1\nv2\nv3\n', 'v3');
    // GNU's words for each change seen (the name was seen missing in between, or not, by timing).
    const quoted = `'${file}'`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(run.out.stderr).toMatch(
      new RegExp(
        `^(tail-async: ${quoted} has become inaccessible: No such file or directory\n)?` +
          `tail-async: ${quoted} has been replaced with an untailable file\n` +
          `tail-async: ${quoted} has (appeared;  following new file|become accessible)\n$`,
      ),
    );
    expect(await run.stop()).toBe(143);
  });

  it('a name that is a directory at the start is followed once a file takes its place', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'f');
    mkdirSync(file);
    const run = start(['-F', '-s', '0.05', file]);
    await waitFor(() => run.out.stderr.includes('cannot follow end of this type of file'), 'the directory to be reported');
    rmdirSync(file);
    writeFileSync(file, 'v2\n');
    await waitFor(() => run.out.stdout.includes('v2\n'), 'v2');
    expect(run.out.stderr).toMatch(new RegExp(`^tail-async: error reading '${file}': Is a directory\ntail-async: ${file}: cannot follow end of this type of file\ntail-async: '${file}' has become accessible\n$`));
    expect(await run.stop()).toBe(143);
  });

  it('FIFOs with no writer block nothing: the other files flow, and SIGTERM ends the run at once', async () => {
    const dir = await tempDir();
    const fifos = [1, 2, 3, 4].map((i) => path.join(dir, `fifo${i}`));
    for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
    const other = path.join(dir, 'other.log');
    writeFileSync(other, '');
    const run = start(['-F', '-s', '0.05', '-n', '0', ...fifos, other]);
    for (let i = 0; i < 3; i++) await alive(run, other);
    const t0 = Date.now();
    expect(await run.stop()).toBe(143);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('a FIFO with no writer ends on SIGINT too, and is read once a writer comes', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const run = start(['-f', fifo]);
    const writer = spawn('sh', ['-c', `printf 'through the pipe\\n' > '${fifo}'`]);
    children.push(writer);
    await waitFor(() => run.out.stdout.includes('through the pipe\n'), 'the line written to the FIFO');
    const second = start(['-f', fifo]);
    // Waiting on the FIFO: it has it open (and its signal handlers in place, set before any file is opened).
    await waitFor(() => openFiles(second.child.pid!).includes(fifo), 'the FIFO to be opened');
    second.child.kill('SIGINT');
    await Promise.race([second.exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    expect(second.out.status).toBe(130);
    await run.stop();
  });

  it('-f on a FIFO prints the last lines when its writer closes it, then what later writers write, and runs on (as GNU tail)', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const other = path.join(dir, 'other.log');
    writeFileSync(other, '');
    const run = start(['-f', '-n', '2', fifo, other]);
    const write = (text: string) => {
      const writer = spawn('sh', ['-c', `printf '${text}' > '${fifo}'`]);
      children.push(writer);
      return new Promise<void>((resolve) => writer.once('close', () => resolve()));
    };
    await write('one\\ntwo\\nthree\\n');
    await waitFor(() => run.out.stdout.includes('two\nthree\n'), 'the last 2 lines of the first writer');
    expect(run.out.stdout).not.toContain('one');
    await write('four\\n');
    await waitFor(() => run.out.stdout.includes('four\n'), 'the line of a later writer');
    await write('fi');
    await write('ve\\n');
    await waitFor(() => run.out.stdout.includes('five\n'), 'a line written by two writers');
    await alive(run, other);
    expect(await run.stop()).toBe(143);
  });

  it('--pid with a FIFO its writer holds open: once the process is gone, what was written comes out, and the run ends (status 0)', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(owner);
    // A writer that stays: the FIFO never ends by itself.
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      const run = start(['-f', '-s', '0.1', `--pid=${owner.pid}`, fifo]);
      await waitFor(() => openFiles(run.child.pid!).includes(fifo), 'the FIFO to be opened');
      writeSync(writer, 'a\nb\n');
      owner.kill();
      expect(await run.exited).toBe(0);
      expect(run.out).toMatchObject({ stdout: 'a\nb\n', stderr: '' });
    } finally {
      closeSync(writer);
    }
  });

  it('a FIFO operand without -n gives its last 10 lines, as a file does (only standard input is passed through whole)', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const run = start(['--no-follow', fifo]);
    const writer = spawn('sh', ['-c', `seq 1 20 > '${fifo}'`]);
    children.push(writer);
    expect(await run.exited).toBe(0);
    expect(run.out.stdout).toBe('11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n');
  });

  it('-f /dev/null runs until stopped (the `tail -f /dev/null` idiom); --no-follow /dev/null ends at once', async () => {
    const dir = await tempDir();
    const other = path.join(dir, 'other.log');
    writeFileSync(other, '');
    const run = start(['-f', '/dev/null', other]);
    await alive(run, other);
    const alone = start(['-f', '/dev/null']);
    const once = start(['--no-follow', '/dev/null']);
    await once.exited;
    expect(once.out.status).toBe(0);
    await alive(run, other);
    expect(alone.out.status).toBeUndefined();
    expect(await alone.stop()).toBe(143);
    expect(await run.stop()).toBe(143);
  });

  it('--retry --follow=descriptor waits for a missing file, then follows the file first opened by descriptor (as GNU tail)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'f');
    const run = start(['--retry', '--follow=descriptor', '-s', '0.05', file]);
    await waitFor(() => run.out.stderr.includes('cannot open'), 'the missing file to be reported');
    expect(run.out.status).toBeUndefined();
    writeFileSync(file, 'one\n');
    await waitFor(() => run.out.stdout.includes('one\n'), 'the file once it appears');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'not followed\n');
    appendFileSync(`${file}.1`, 'two\n');
    await waitFor(() => run.out.stdout.includes('two\n'), 'what is written to the file first opened, renamed');
    expect(run.out.stdout).toBe('one\ntwo\n');
    expect(run.out.stderr).toBe(
      `tail-async: warning: --retry only effective for the initial open\n` +
        `tail-async: cannot open '${file}' for reading: No such file or directory\n` +
        `tail-async: '${file}' has appeared;  following new file\n`,
    );
    expect(await run.stop()).toBe(143);
  });

  it.each([
    { what: 'a missing file', make: (_f: string) => {}, says: (f: string) => [`cannot open '${f}' for reading: No such file or directory`] },
    { what: 'a directory', make: (f: string) => mkdirSync(f), says: (f: string) => [`error reading '${f}': Is a directory`, `${f}: cannot follow end of this type of file; giving up on this name`] },
  ])('-f with $what and nothing else to follow: "no files remaining", status 1 (as GNU tail)', async ({ make, says }) => {
    const file = path.join(await tempDir(), 'f');
    make(file);
    const run = start(['-f', file]);
    expect(await run.exited).toBe(1);
    expect(run.out.stderr).toBe([...says(file), 'no files remaining'].map((line) => `tail-async: ${line}\n`).join(''));
  });

  it('keeps memory bounded on an endless stream without newlines (--no-follow -n 2 /dev/zero)', async () => {
    const run = start(['--no-follow', '-n', '2', '/dev/zero']);
    const proc = (file: string, field: RegExp) => {
      try {
        return Number(field.exec(readFileSync(`/proc/${run.child.pid}/${file}`, 'utf8'))?.[1]);
      } catch {
        return NaN;
      }
    };
    // Memory does not grow with what is read: the last lines are bounded by bytes too. Its size once 150 MB
    // have been read, against the most it takes up to 400 MB (at least half of those 250 MB would show if
    // what was read were kept), and never near what was read. Reading 1 GB took 20 s on a loaded machine.
    const rss = () => proc('status', /VmRSS:\s+(\d+)/) / 1024 || 0;
    const bytesRead = () => proc('io', /rchar:\s+(\d+)/);
    let early: number | undefined;
    let peak = 0;
    await waitFor(() => {
      const read = bytesRead();
      if (read > 150e6 && early === undefined) early = rss();
      if (early !== undefined) peak = Math.max(peak, rss());
      return read > 400e6 || run.out.status !== undefined;
    }, '400 MB of /dev/zero to be read', 50_000);
    console.info(`/dev/zero: ${Math.round(early!)} MB resident after 150 MB read, at most ${Math.round(peak)} MB up to 400 MB`);
    expect(run.out.status).toBeUndefined();
    expect(peak).toBeLessThan(early! + 125);
    expect(peak).toBeLessThan(400);
    await run.stop();
  }, 60_000);
});
