import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** A stdout double that keeps every byte written to it. */
export class Capture extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  get text(): string {
    return this.bytes.toString('utf8');
  }
}

/**
 * Runs `main` in this process with test doubles for the streams and signals. `stdin` is ended with the
 * given content unless `keepStdinOpen`; `during` runs while the command runs (to write, signal, …).
 */
export async function runCli(
  argv: string[],
  options: {
    stdin?: string | Buffer;
    tty?: boolean;
    keepStdinOpen?: boolean;
    cwd?: string;
    env?: Record<string, string | undefined>;
    stdoutIsTTY?: boolean;
    during?: (ctx: { stdin: PassThrough; stdout: Capture & { isTTY: boolean }; stderr: Capture; signals: EventEmitter }) => Promise<void>;
  } = {},
): Promise<CliResult> {
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stdout = Object.assign(new Capture(), { isTTY: options.stdoutIsTTY ?? false });
  const stderr = new Capture();
  const signals = new EventEmitter();
  if (!options.keepStdinOpen) stdin.end(options.stdin ?? '');
  const running = main(argv, { stdin, stdout, stderr, signals, env: options.env ?? {}, ...(options.cwd && { cwd: options.cwd }) });
  if (options.during) await options.during({ stdin, stdout, stderr, signals });
  const status = await running;
  return { status, stdout: stdout.bytes, stderr: stderr.text };
}
