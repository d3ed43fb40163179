import { fstatSync } from 'node:fs';
import type { ResolvedOptions } from '../options.js';
import { DescriptorStream, descriptorOffset } from './descriptor-stream.js';
import type { SourceHost } from './source.js';
import { StreamSource } from './stream-source.js';

/**
 * The process's standard input as a source. Followed by descriptor (`tail -f`), a regular file there is
 * read to its end and then followed through the descriptor, as GNU tail does; anything else (a pipe, a
 * terminal) is read until it ends.
 * @internal
 */
export function standardInput(opts: ResolvedOptions, host: SourceHost): StreamSource {
  if (opts.follow !== 'descriptor' || !regularFile(0)) return new StreamSource('-', process.stdin, opts, host);
  return new StreamSource('-', process.stdin, opts, host, {
    untilStopped: true,
    // Once the stream ended, the descriptor's offset is where it stopped reading.
    next: () => new DescriptorStream(0, '-', descriptorOffset(0) ?? fstatSync(0).size, opts.pollInterval, opts.onNotice),
  });
}

function regularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
