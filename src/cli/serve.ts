import type { Writable } from 'node:stream';
import type { TailStream } from '../tail-stream.js';
import type { ServeCliOptions } from './args.js';
import { serve } from '../serve/serve.js';

/**
 * `--serve`: serves the tail's lines to browsers until `signal` (SIGINT, SIGTERM), or until the input
 * fails (rejects with its error). When the input ends (--no-follow, standard input at its end), what was
 * read keeps being served until a signal; unless `lingers()` says no (--pid's process ended: the run
 * ends with it). The URL (with the token in it, when there is one) is printed once.
 * @internal
 */
export async function serveLines(stream: TailStream, options: ServeCliOptions, lingers: () => boolean, stderr: Writable, signal: AbortSignal): Promise<void> {
  const server = await serve(stream, {
    host: options.host,
    port: options.port,
    ...(options.token !== undefined && { token: options.token }),
    ...(options.lines !== undefined && { lines: options.lines }),
    signal,
    onNotice: (message) => stderr.write(`tail-async: ${message}\n`),
  });
  try {
    const generated = server.token !== undefined && options.token === undefined;
    stderr.write(`tail-async: serving on ${server.url}${generated ? ' (the token in it is needed to connect)' : ''}\n`);
    await server.done;
    if (lingers() && !signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    await server.close();
  }
}
