import { fstatSync, type Stats } from 'node:fs';
import type { ResolvedOptions } from '../options.js';
import { DescriptorStream, descriptorOffset } from './descriptor-stream.js';
import type { SourceHost } from './source.js';
import { StreamSource } from './stream-source.js';
import { fdReader, type PositionalRead } from './read-at.js';
import { startPoint } from './start-position.js';

/** Standard input's descriptor. */
const STDIN = 0;

/**
 * The process's standard input as a source. A regular file there is read by position from where the
 * caller left its offset, as GNU tail reads it: its last lines (`-n`, `-c`) without reading what comes
 * before them, and, followed by descriptor (`tail -f < file`), on after its end. Anything else (a pipe, a
 * terminal), or a file whose offset cannot be known (no /proc) or that was read from already, is read as
 * a stream, until it ends.
 * @internal
 */
export async function standardInput(opts: ResolvedOptions, host: SourceHost): Promise<StreamSource> {
  const st = status(STDIN);
  const following = opts.follow === 'descriptor';
  const descriptor = (from: number, follow: boolean) => new DescriptorStream(STDIN, '-', from, { follow, interval: opts.pollInterval, onNotice: opts.onNotice });
  // A directory cannot be read: said as GNU says it (`error reading 'standard input': Is a directory`).
  if (st?.isDirectory()) return new StreamSource('-', descriptor(0, false), opts, host);
  if (!st?.isFile()) {
    // Followed, a device that is not a terminal (`tail -f < /dev/null`) is read and then waited on, as a
    // device operand is (and as GNU tail does).
    const device = st?.isCharacterDevice() === true && !process.stdin.isTTY;
    return new StreamSource('-', process.stdin, opts, host, { untilStopped: following && device });
  }
  const from = untouched(process.stdin) ? descriptorOffset(STDIN) : undefined;
  if (from === undefined) {
    // Read as a stream; followed, on from its end (the file's size once the stream ended stands in for the offset).
    if (!following) return new StreamSource('-', process.stdin, opts, host);
    const next = () => descriptor(descriptorOffset(STDIN) ?? fstatSync(STDIN).size, true);
    return new StreamSource('-', process.stdin, opts, host, { untilStopped: true, next });
  }
  // The last lines or bytes are found back from the end, in the part after `from`; the stream starts
  // there and all of it is the selection. Other starts are the stream source's, from `from` on.
  const start = opts.start;
  const fromEnd = start !== undefined && ('lines' in start || 'bytes' in start);
  const read = fdReader(STDIN);
  const after: PositionalRead = (buf, offset, length, position) => read(buf, offset, length, position + from);
  const offset = fromEnd ? from + (await startPoint(after, Math.max(st.size - from, 0), start, opts.delimiter)).offset : from;
  return new StreamSource('-', descriptor(offset, following), opts, host, { untilStopped: following, start: fromEnd ? { fromByte: 1 } : start });
}

/** The stream has given nothing yet (what it read ahead would be lost to positional reads). */
function untouched(stream: NodeJS.ReadStream): boolean {
  return !stream.readableDidRead && stream.readableLength === 0;
}

function status(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}
