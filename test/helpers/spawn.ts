import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The built command (`npm run build` first). */
export const BIN = path.resolve(fileURLToPath(import.meta.url), '../../../bin/tail-async.js');

const children: ChildProcess[] = [];
afterEach(() => {
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
 * running. `nodeArgs` go before the script (`--import` preloads); `uid`/`gid` run it as another user.
 */
export function spawnCli(args: readonly string[], options: { nodeArgs?: readonly string[]; env?: Record<string, string>; uid?: number; gid?: number; cwd?: string } = {}): Spawned {
  const spawnOptions: SpawnOptions = {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'dumb', TZ: 'UTC', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined && { uid: options.uid }),
    ...(options.gid !== undefined && { gid: options.gid }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], spawnOptions);
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
