/**
 * The real logrotate (Debian's), run as the current user on one log file: its configuration and its
 * state file (`-s`) in a directory of their own, every rotation forced (`-f`). Whether the binary is there
 * is decided with the server binaries (see servers.ts: `skipWithout('logrotate')`).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { locate } from './server-binaries.js';

/** Rotates `file` now with logrotate and `directives` (`compress`, `delaycompress`, `dateext`…); throws with what logrotate said if it fails. */
export function logrotate(file: string, directives: readonly string[], workDir: string): void {
  const conf = path.join(workDir, 'logrotate.conf');
  writeFileSync(conf, `${file} {\n${['rotate 20', 'missingok', ...directives].map((d) => `  ${d}\n`).join('')}}\n`);
  const binary = locate('logrotate') ?? 'logrotate';
  const run = spawnSync(binary, ['-s', path.join(workDir, 'logrotate.state'), '-f', conf], { encoding: 'utf8', timeout: 20_000 });
  if (run.error || run.status !== 0) throw new Error(`logrotate failed (${run.error?.message ?? `status ${run.status}`}): ${run.stderr}`);
}
