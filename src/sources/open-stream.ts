import { constants, createReadStream, openSync, type Stats } from 'node:fs';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { READ_FLAGS } from './find-file.js';
import { osPath } from '../os-path.js';

/**
 * A readable stream of a file that cannot be read by position: a FIFO or a device. A FIFO is opened
 * without blocking and read through the event loop (as Node reads a pipe on standard input): opening it
 * the usual way would hold a thread-pool thread until a writer comes, and signals, `--pid` and every
 * other file would wait with it. It still waits for a writer and ends when the writer closes it.
 * @internal
 */
export function openStream(path: string, st: Stats): Readable {
  if (!st.isFIFO()) return createReadStream(osPath(path));
  return new net.Socket({ fd: openSync(osPath(path), READ_FLAGS), readable: true, writable: false });
}

/**
 * The FIFO at `path` again, once its writers have closed it, for a follower (GNU `tail -f fifo` reads on
 * what later writers write). Opened for reading and writing, so that it holds a write end itself and no
 * read ever ends: with none, a FIFO without a writer reads as its end at once, again and again.
 * @internal
 */
export function reopenFifo(path: string): Readable {
  const fd = openSync(osPath(path), constants.O_RDWR | constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: true, writable: false });
}
