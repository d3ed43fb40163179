import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A binary some tests need: the engines of the sink tests, logrotate for the history tests, chromium for the --serve page. */
export type ServerBinary = 'redis-server' | 'nats-server' | 'logrotate' | 'chromium';

export const SERVER_BINARIES: readonly ServerBinary[] = ['redis-server', 'nats-server', 'logrotate', 'chromium'];

/** What the tests that need each binary do with it (for the line that says they are skipped). */
export const NEEDED_FOR: Readonly<Record<ServerBinary, string>> = {
  'redis-server': 'ship to it',
  'nats-server': 'ship to it',
  logrotate: 'rotate logs with it',
  chromium: 'show the --serve page in it',
};

/**
 * Where `binary` is: on PATH, or in /usr/sbin or /sbin (Debian puts nats-server and logrotate in /usr/sbin, which a
 * user's PATH may leave out); undefined when it is nowhere.
 */
export function locate(binary: ServerBinary): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
