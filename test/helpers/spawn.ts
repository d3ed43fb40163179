import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEveryTest } from './after-each.js';

/** The built command (`npm run build` first). */
export const BIN = path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');

/**
 * What runs a command so that file permissions apply to it. Root ignores them, so as root the command runs
 * without capabilities (`setpriv`, util-linux): still uid 0, so the checkout stays readable wherever it was
 * cloned (a user such as nobody cannot read a clone under a 0700 directory), while a mode that denies the
 * owner denies it too. As anyone else, as is.
 */
export function unprivileged(command: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['setpriv', ['--inh-caps=-all', '--bounding-set=-all', '--', command, ...args]] : [command, [...args]];
}

const children: ChildProcess[] = [];
afterEveryTest('processes', () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A spawned command: its output so far, how it ended, and a promise of its end. */
export interface Spawned {
  readonly child: ChildProcess;
  readonly out: { stdout: string; stderr: string; status: number | null | undefined; signal: NodeJS.Signals | null | undefined };
  readonly exited: Promise<void>;
}

/**
 * Starts the real binary with a pinned environment, keeping its output; killed after the test if still
 * running. `nodeArgs` go before the script (`--import` preloads); `uid`/`gid` run it as another user;
 * `unprivileged`: file permissions apply to it, also when the tests run as root (see {@link unprivileged}).
 */
export function spawnCli(
  args: readonly string[],
  options: { nodeArgs?: readonly string[]; env?: Record<string, string>; uid?: number; gid?: number; cwd?: string; unprivileged?: boolean } = {},
): Spawned {
  const spawnOptions: SpawnOptions = {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'dumb', TZ: 'UTC', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  };
  const argv = [...(options.nodeArgs ?? []), BIN, ...args];
  const [command, commandArgs] = options.unprivileged ? unprivileged(process.execPath, argv) : [process.execPath, argv];
  const child = spawn(command, commandArgs, spawnOptions);
  children.push(child);
  const out: Spawned['out'] = { stdout: '', stderr: '', status: undefined, signal: undefined };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const exited = new Promise<void>((resolve) =>
    child.on('close', (status, signal) => {
      out.status = status;
      out.signal = signal;
      resolve();
    }),
  );
  return { child, out, exited };
}
