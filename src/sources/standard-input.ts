import { fstatSync, type Stats } from 'node:fs';
import type { ResolvedOptions, StartPosition } from '../options.js';
import { DescriptorStream, descriptorOffset } from './descriptor-stream.js';
import type { SourceHost } from './source.js';
import { StreamSource } from './stream-source.js';
import { fdReader } from './read-at.js';
import { lastLinesOffset } from './start-position.js';

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
  // A directory cannot be read: said as GNU says it (`error reading 'standard input': Is a directory`).
  if (st?.isDirectory()) return new StreamSource('-', new DescriptorStream(STDIN, '-', 0, { follow: false, interval: opts.pollInterval, onNotice: opts.onNotice }), opts, host);
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
    const next = () => new DescriptorStream(STDIN, '-', descriptorOffset(STDIN) ?? fstatSync(STDIN).size, { follow: true, interval: opts.pollInterval, onNotice: opts.onNotice });
    return new StreamSource('-', process.stdin, opts, host, { untilStopped: true, next });
  }
  const start = opts.start;
  const offset = await selected(st, from, start, opts.delimiter);
  const stream = new DescriptorStream(STDIN, '-', offset, { follow: following, interval: opts.pollInterval, onNotice: opts.onNotice });
  // The last lines or bytes are where the stream starts: all of it is the selection.
  const rest = start && ('lines' in start || 'bytes' in start) ? { fromByte: 1 } : start;
  return new StreamSource('-', stream, opts, host, { untilStopped: following, start: rest });
}

/** Where the last lines or bytes of the file's part after `from` start (else `from` itself). */
async function selected(st: Stats, from: number, start: StartPosition | undefined, delimiter: number): Promise<number> {
  const size = Math.max(st.size - from, 0);
  if (start && 'bytes' in start) return from + Math.max(size - start.bytes, 0);
  if (start && 'lines' in start) {
    const read = fdReader(STDIN);
    return from + (await lastLinesOffset((buf, offset, length, position) => read(buf, offset, length, position + from), size, start.lines, delimiter));
  }
  return from;
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
