import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEveryTest } from './after-each.js';

const made: string[] = [];

/** A fresh temp directory, removed after the current test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tail-async-'));
  made.push(dir);
  return dir;
}

afterEveryTest('directories', async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Entries of /proc/self/fd: every descriptor this process holds. */
export function openFds(): string[] {
  return readdirSync('/proc/self/fd');
}

/** Targets of this process's descriptors that point at files under `dir` (including deleted ones). */
export function fdsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of openFds()) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // the descriptor closed while we looked
    }
  }
  return out;
}
