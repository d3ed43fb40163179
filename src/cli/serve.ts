import type { Writable } from 'node:stream';
import type { TailStream } from '../tail-stream.js';
import type { ServeCliOptions } from './args.js';
import { serve } from '../serve/serve.js';

/**
 * `--serve`: serves the tail's lines to browsers until `signal` (a signal, or --pid's process ending),
 * or until the input fails (rejects with its error). Without follow, the input ends and the page keeps
 * being served until a signal. The URL (with the token in it, when there is one) is printed once.
 * @internal
 */
export async function serveLines(stream: TailStream, options: ServeCliOptions, follow: boolean, stderr: Writable, signal: AbortSignal): Promise<void> {
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
    if (!follow && !signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    await server.close();
  }
}
