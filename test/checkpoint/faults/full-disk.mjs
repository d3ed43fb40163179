// Preloaded with `node --import` where a small tmpfs cannot be mounted: while the file named by
// TAIL_ASYNC_FULL_MARKER exists, every FileHandle write to a file under TAIL_ASYNC_FULL_DIR fails
// with ENOSPC, as on a full disk (tail-async writes its state, lock and temp files through FileHandles).
import { existsSync, readlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';

const dir = process.env.TAIL_ASYNC_FULL_DIR;
const marker = process.env.TAIL_ASYNC_FULL_MARKER;
if (!dir || !marker) throw new Error('full-disk.mjs needs TAIL_ASYNC_FULL_DIR and TAIL_ASYNC_FULL_MARKER');

const probe = await open('/dev/null', 'r');
const FileHandle = Object.getPrototypeOf(probe);
await probe.close();

function full(fd) {
  if (!existsSync(marker)) return false;
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`);
  } catch {
    return false;
  }
}

for (const name of ['write', 'writev', 'writeFile', 'appendFile']) {
  const original = FileHandle[name];
  FileHandle[name] = function (...args) {
    if (!full(this.fd)) return original.apply(this, args);
    const error = Object.assign(new Error(`ENOSPC: no space left on device, ${name}`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return Promise.reject(error);
  };
}
