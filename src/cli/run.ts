import { main, EXIT } from './main.js';
import { closedAtStart, standardOutput } from './fd-output.js';
import { watchOutputReader } from './output-reader.js';
import { readFileSync } from 'node:fs';
import { rawArguments } from '../os-path.js';

/**
 * How long after a signal the process exits whatever is still under way. The run itself ends well
 * before (it cuts processors short and waits only briefly for their `close()`): this is the guarantee
 * that a signal ends the process within a second, also on a machine too busy to run it in time.
 */
const SIGNAL_EXIT_MS = 900;

type Signal = 'SIGINT' | 'SIGTERM';

/**
 * Runs the command in this process: real stdin/stdout/stderr and signals. The exit status is set, not
 * forced; a watchdog armed by the first signal (and one once the command is done) only makes sure that
 * the process ends in time.
 * @internal
 */
export function run(argv: readonly string[] = commandLine()): void {
  const handlers = new Map<() => void, () => void>();
  const signals = {
    on: (event: Signal, fn: () => void) => {
      const handler = () => {
        exitSoon(event);
        fn();
      };
      handlers.set(fn, handler);
      process.on(event, handler);
    },
    off: (event: Signal, fn: () => void) => {
      const handler = handlers.get(fn);
      if (handler) process.off(event, handler);
      handlers.delete(fn);
    },
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

let exiting = false;

/** The first signal: the process exits within {@link SIGNAL_EXIT_MS}, with the signal's status, whatever is left to do. */
function exitSoon(event: Signal): void {
  if (exiting) return;
  exiting = true;
  const status = event === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  setTimeout(() => {
    process.stderr.write(`tail-async: still closing ${SIGNAL_EXIT_MS} ms after ${event}: exiting now\n`);
    process.exit(status);
  }, SIGNAL_EXIT_MS).unref();
}

function finish(status: number): void {
  process.exitCode = status;
  // After a signal, everything that counts is done (output written, state file saved): a plugin's thread
  // still being ended, or anything else, must not hold the exit up.
  if (status === EXIT.sigint || status === EXIT.sigterm) process.exit(status);
  // Everything is closed by now; should a handle linger anyway, do not let it keep us alive.
  setTimeout(() => process.exit(status), 1000).unref();
  if (status === EXIT.epipe) process.stdin.destroy();
}

/** The arguments, with their exact bytes where the kernel shows them (Linux): see {@link rawArguments}. */
function commandLine(): string[] {
  const argv = process.argv.slice(2);
  return process.platform === 'linux' ? rawArguments(argv, () => readFileSync('/proc/self/cmdline')) : argv;
}
