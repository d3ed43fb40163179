import { open } from 'node:fs/promises';
import type { Origin } from '../../src/sources/resume.js';

/** `file` opened as a source would hold it, for feeding a Ledger by hand; `await using` closes it. */
export async function openOrigin(file: string): Promise<{ origin: Origin } & AsyncDisposable> {
  const handle = await open(file, 'r');
  const st = await handle.stat();
  return {
    origin: { source: file, dev: st.dev, ino: st.ino, born: st.birthtimeMs, use: (fn) => fn(handle.fd) },
    [Symbol.asyncDispose]: () => handle.close(),
  };
}
