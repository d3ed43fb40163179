import { main, EXIT } from './main.js';
import { standardOutput } from './fd-output.js';
import { watchOutputReader } from './output-reader.js';

/**
 * Runs the command in this process: real stdin/stdout/stderr and signals. The exit status is set, not
 * forced; a watchdog only makes sure that a signal ends the process within a second.
 * @internal
 */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  const signals = {
    on: (event: 'SIGINT' | 'SIGTERM', fn: () => void) => process.on(event, fn),
    off: (event: 'SIGINT' | 'SIGTERM', fn: () => void) => process.off(event, fn),
  };
  main(argv, { stdin: process.stdin, stdout: standardOutput(), stderr: process.stderr, signals, watchOutputReader: (onGone) => watchOutputReader(onGone) }).then(
    (status) => finish(status),
    (error: unknown) => {
      process.stderr.write(`tail-async: internal error (please report it): ${error instanceof Error ? error.stack : String(error)}\n`);
      finish(EXIT.internal);
    },
  );
}

function finish(status: number): void {
  process.exitCode = status;
  // Everything is closed by now; should a handle linger anyway, do not let it keep us alive.
  setTimeout(() => process.exit(status), 1000).unref();
  if (status === EXIT.epipe || status === EXIT.sigint || status === EXIT.sigterm) process.stdin.destroy();
}
