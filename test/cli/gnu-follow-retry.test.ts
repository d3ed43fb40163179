/**
 * What GNU coreutils' retry.sh, wait.sh and follow-name.sh check (tests/tail/), run on GNU tail 9.1 and on
 * tail-async side by side (test/helpers/gnu-pair.ts): which names are waited for, given up or followed
 * anew, with which words and status; with inotify and with polling (`---disable-inotify`), as coreutils
 * runs them. Where tail-async differs on purpose (its --follow=name is -F), the test says what it does
 * instead, and the README lists it.
 */
import { chmodSync, mkdirSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasLine, Pair, says } from '../helpers/gnu-pair.js';

const FASTPOLL = ['-s.1', '--max-unchanged-stats=1'];
const MODES = [
  ['inotify', []],
  ['polling', ['---disable-inotify']],
] as const;
const lines = (side: { out: { stdout: string; stderr: string } }) => (side.out.stdout + side.out.stderr).split('\n').length - 1;

describe.each(MODES)('coreutils tests/tail/retry.sh (%s), GNU 9.1 and tail-async side by side', (_mode, mode) => {
  it.concurrent('--follow=name --retry waits for a missing file, then follows it', async (t) => {
    const p = Pair.start(t, { args: [...mode, ...FASTPOLL, '--follow=name', '--retry', 'missing'] });
    await p.until(says('cannot open'), 'cannot open');
    await p.both((at) => writeFileSync(at('missing'), 'X\n'), (s) => hasLine('X')(s) && says('has appeared')(s), 'has appeared, and X');
    await p.expectSame();
  });

  it.concurrent('--follow=descriptor --retry waits for a missing file, follows it, and sees it truncated', async (t) => {
    const p = Pair.start(t, { args: [...mode, ...FASTPOLL, '--follow=descriptor', '--retry', 'missing'] });
    await p.until(says('cannot open'), 'cannot open');
    await p.both((at) => writeFileSync(at('missing'), 'X1\n'), (s) => hasLine('X1')(s) && says('has appeared')(s), 'has appeared, and X1');
    await p.both((at) => writeFileSync(at('missing'), 'X\n'), (s) => hasLine('X')(s) && says('file truncated')(s), 'file truncated, and X');
    await p.expectSame();
  });

  it.concurrent('--follow=descriptor --retry gives up when a directory comes instead: no files remaining, status 1', async (t) => {
    const p = Pair.start(t, { args: [...mode, ...FASTPOLL, '--follow=descriptor', '--retry', 'missing'] });
    await p.until(says('cannot open'), 'cannot open');
    p.step((at) => mkdirSync(at('missing')));
    await p.ended('the end');
    expect(p.gnu.out.status).toBe(1);
    expect(lines(p.gnu)).toBe(4);
    await p.expectSame();
  });

  it.concurrent('--follow=descriptor without --retry does not open later a file missing at the start', async (t) => {
    const p = Pair.start(t, { args: [...mode, ...FASTPOLL, '--follow=descriptor', 'missing', 'existing'], prepare: (dir) => writeFileSync(`${dir}/existing`, '') });
    await p.until((s) => says('cannot open')(s) && s.out.stdout.includes('==> existing <=='), 'cannot open, and the header of existing');
    await p.both(
      (at) => {
        writeFileSync(at('missing'), 'Y\n');
        writeFileSync(at('existing'), 'X\n');
      },
      hasLine('X'),
      'X',
    );
    await p.expectSame();
    expect(p.ours.out.stdout).not.toContain('Y');
  });

  it.concurrent('--follow=descriptor without --retry, the only file missing: no files remaining, status 1', async (t) => {
    const p = Pair.start(t, { args: [...mode, '--follow=descriptor', 'missing'] });
    await p.ended();
    expect(p.gnu.out.status).toBe(1);
    await p.expectSame();
  });

  it.concurrent('--follow=name without --retry, the only file missing: GNU ends (status 1); tail-async waits for it, as -F', async (t) => {
    const p = Pair.start(t, { args: [...mode, ...FASTPOLL, '--follow=name', 'missing'] });
    await p.until((s) => says('cannot open')(s), 'cannot open');
    await p.gnu.exited;
    expect(p.gnu.out).toEqual({ stdout: '', stderr: "tail: cannot open 'missing' for reading: No such file or directory\ntail: no files remaining\n", status: 1 });
    // tail-async's --follow=name is -F (README, Differences from GNU tail).
    writeFileSync(p.ours.at('missing'), 'X\n');
    await p.until((s) => s === p.gnu || (hasLine('X')(s) && says('has appeared')(s)), 'has appeared, and X');
    await p.stop();
    expect(p.ours.out).toEqual({ stdout: 'X\n', stderr: "tail: cannot open 'missing' for reading: No such file or directory\ntail: 'missing' has appeared;  following new file\n", status: 143 });
  });

  it.concurrent('-F waits for a directory to become a file, and follows it', async (t) => {
    const p = Pair.start(t, { args: [...mode, ...FASTPOLL, '-F', 'untailable'], prepare: (dir) => mkdirSync(`${dir}/untailable`) });
    await p.until(says('cannot follow'), 'cannot follow');
    await p.both(
      (at) => {
        rmdirSync(at('untailable'));
        writeFileSync(at('untailable'), 'foo\n');
      },
      (s) => hasLine('foo')(s) && /become accessible|has appeared/.test(s.out.stderr),
      'has become accessible, and foo',
    );
    // GNU says `has appeared` instead when a poll of its falls between the rmdir and the write (retry.sh
    // accepts both: "'has appeared' arises with slow rmdir"); tail-async always says the common one.
    await p.expectSame((gnu) => ({ ...gnu, stderr: gnu.stderr.replace("'untailable' has appeared;  following new file", "'untailable' has become accessible") }));
    expect(p.ours.out.stderr).toContain("'untailable' has become accessible");
    expect(p.ours.out.stderr).not.toContain('giving up');
  });
});

describe.each(MODES)('coreutils tests/tail/wait.sh (%s), GNU 9.1 and tail-async side by side', (_mode, mode) => {
  it.concurrent('tail -f of a missing file ends at once: no files remaining, status 1', async (t) => {
    const p = Pair.start(t, { args: [...FASTPOLL, '-f', ...mode, 'not_here'] });
    await p.ended();
    expect(p.gnu.out.status).toBe(1);
    await p.expectSame();
  });

  it.concurrent('tail -f of an unreadable file ends at once: no files remaining, status 1', async (t) => {
    const p = Pair.start(t, { args: [...FASTPOLL, '-f', ...mode, 'unreadable'], unprivileged: true, prepare: (dir) => writeFileSync(`${dir}/unreadable`, 'x\n', { mode: 0 }) });
    await p.ended();
    expect(p.gnu.out.status).toBe(1);
    await p.expectSame();
  });

  for (const follow of ['-f', '-F']) {
    it.concurrent(`tail ${follow} of a file waits, and says nothing`, async (t) => {
      const p = Pair.start(t, { args: [...FASTPOLL, follow, ...mode, 'here'], prepare: (dir) => writeFileSync(`${dir}/here`, '') });
      await p.both((at) => writeFileSync(at('here'), 'x\n'), hasLine('x'), 'x');
      await p.expectSame();
      expect(p.gnu.out.stderr).toBe('');
    });
  }

  it.concurrent('tail -F of an unreadable file waits until it can be read', async (t) => {
    const p = Pair.start(t, { args: [...FASTPOLL, '-F', ...mode, 'unreadable'], unprivileged: true, prepare: (dir) => writeFileSync(`${dir}/unreadable`, 'x\n', { mode: 0 }) });
    await p.until(says('Permission denied'), 'Permission denied');
    await p.both((at) => chmodSync(at('unreadable'), 0o644), (s) => hasLine('x')(s) && says('has become accessible')(s), 'has become accessible, and x');
    await p.expectSame();
  });

  it.concurrent('tail -F of a missing file waits until it comes', async (t) => {
    const p = Pair.start(t, { args: [...FASTPOLL, '-F', ...mode, 'not_here'] });
    await p.until(says('cannot open'), 'cannot open');
    await p.both((at) => writeFileSync(at('not_here'), 'x\n'), (s) => hasLine('x')(s) && says('has appeared')(s), 'has appeared, and x');
    await p.expectSame();
  });

  for (const delay of [0, 200]) {
    it.concurrent(`-F never follows a descriptor after a rename (${delay} ms between the steps)`, async (t) => {
      const p = Pair.start(t, { args: [...FASTPOLL, '-F', ...mode, 'k'], prepare: (dir) => writeFileSync(`${dir}/k`, '') });
      const pause = () => new Promise((resolve) => setTimeout(resolve, delay));
      // As the script does: sleep $delay between the steps (a scenario's timing, not a wait for a state).
      await pause();
      p.step((at) => renameSync(at('k'), at('l')));
      await pause();
      p.step((at) => {
        writeFileSync(at('k'), '');
        renameSync(at('k'), at('l'));
      });
      await pause();
      p.step((at) => writeFileSync(at('l'), 'NO\n', { flag: 'a' }));
      await p.runFor(Math.max(delay, 300));
      await p.stop();
      for (const side of p.sides) expect(side.out.stdout, side.name).toBe('');
    });
  }
});

describe.each(MODES)('coreutils tests/tail/follow-name.sh (%s)', (_mode, mode) => {
  it.concurrent('--follow=name of a missing file: GNU ends (status 1); tail-async waits for it, as -F', async (t) => {
    const p = Pair.start(t, { args: ['--follow=name', ...mode, 'no-such'] });
    await p.until(says('cannot open'), 'cannot open');
    await p.gnu.exited;
    expect(p.gnu.out).toEqual({ stdout: '', stderr: "tail: cannot open 'no-such' for reading: No such file or directory\ntail: no files remaining\n", status: 1 });
    await p.runFor(300, [p.ours]);
    await p.stop();
    expect(p.ours.out).toEqual({ stdout: '', stderr: "tail: cannot open 'no-such' for reading: No such file or directory\n", status: 143 });
  });

  it.concurrent('--follow=name, the file renamed away: tail-async waits for the name, as -F', async (t) => {
    const p = Pair.start(t, { args: ['--follow=name', ...FASTPOLL, ...mode, 'file'], prepare: (dir) => writeFileSync(`${dir}/file`, '') });
    await p.both((at) => writeFileSync(at('file'), 'x\n'), hasLine('x'), 'x');
    await p.both((at) => renameSync(at('file'), at('file.unfollow')), says('No such file'), 'No such file');
    // GNU 9.1 waits with inotify (9.6 and later end with status 1), and ends with status 0 polling.
    if (mode.length === 0) await p.runFor(300);
    else await p.gnu.exited;
    await p.stop();
    const gnuStatus = mode.length === 0 ? 143 : 0;
    expect(p.gnu.out).toEqual({ stdout: 'x\n', stderr: `tail: file: No such file or directory\n${gnuStatus === 0 ? 'tail: no files remaining\n' : ''}`, status: gnuStatus });
    expect(p.ours.out).toEqual({ stdout: 'x\n', stderr: "tail: 'file' has become inaccessible: No such file or directory\n", status: 143 });
  });
});
