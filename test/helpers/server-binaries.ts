import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A binary some tests need: the engines of the sink tests, the browser of the --serve tests. */
export type ServerBinary = 'redis-server' | 'nats-server' | 'chromium';

export const SERVER_BINARIES: readonly ServerBinary[] = ['redis-server', 'nats-server', 'chromium'];

/**
 * Where `binary` is: on PATH, or in /usr/sbin or /sbin (Debian puts nats-server in /usr/sbin, which a
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
