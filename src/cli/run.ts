import { main, EXIT } from './main.js';
import { closedAtStart, standardOutput } from './fd-output.js';
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
  const io = {
    stdin: process.stdin,
    stdout: standardOutput(),
    stderr: process.stderr,
    signals,
    watchOutputReader: (onGone: () => void) => watchOutputReader(onGone),
    closed: { stdin: closedAtStart(0), stdout: closedAtStart(1) },
  };
  main(argv, io).then(
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
