import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { NamedStream, TailInput, TailStream } from '../tail-stream.js';
import { DEFAULT_FILE_START, MIN_WATCHED_POLL_MS, type EngineOptions } from '../options.js';
import { describeErrno, isReadFailure, notices, type Notice } from '../notices.js';
import { PluginError, SinkError, TailError } from '../errors.js';
import { isGlob } from '../sources/glob.js';
import { parseArgs, type CliOptions } from './args.js';
import { helpWidth, renderHelp } from './help.js';
import { OutputWriter } from './output.js';
import { UsageError } from './usage-error.js';
import { highlights } from './colour.js';
import { buildProcessors } from './processors.js';
import { droppedSummary } from './dropped.js';
import { commandTimeOf } from './record-step.js';
import { droppedMessage } from '../chain/processors/rate-limit.js';
import { ErrorReporter } from '../chain/report.js';
import type { Processor } from '../chain/types.js';
import { canCopy, FileCopy } from './copy.js';
import { StdoutWriter } from './stdout.js';
import { isStateFileRefusal, StateFileSaves } from './state-file.js';
import { refuseOwnInputs } from '../checkpoint/preflight.js';
import { secondsToMs } from './numbers.js';
import type { Sink } from '../sinks/contract.js';
import { osPath } from '../os-path.js';

/** Exit statuses of the command (documented in the README and `--help`). */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70, sigint: 130, epipe: 141, sigterm: 143 } as const;

/**
 * After a signal, how long the lines the processors had finished may take to be written (a reader that
 * does not read must not hold the exit up): what is not written by then is not delivered.
 */
const SIGNAL_WRITE_MS = 200;

/** What the command talks to: the process's streams, or test doubles. @internal */
export interface CliIO {
  readonly stdin: Readable & { readonly isTTY?: boolean };
  /**
   * Copying a file (no follow, no processors), the command writes blocks of one buffer and reads into it
   * again once a write's callback has run: a double must copy the chunks it keeps (a Transform, such as
   * a PassThrough, is given copies).
   */
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Environment variables (NO_COLOR); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where relative plugin paths start; default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Watches the reader of stdout while the command follows: calls `onGone` once it has gone (a pipe whose
   * reader exited), and returns the function that stops watching (see `watchOutputReader`).
   */
  readonly watchOutputReader?: (onGone: () => void) => () => void;
  /**
   * Standard input or output was closed when the command started (`<&-`, `>&-`: Node put /dev/null in
   * its place). Default: neither.
   */
  readonly closed?: { readonly stdin: boolean; readonly stdout: boolean };
  /** Where SIGINT and SIGTERM come from (the process, or an EventEmitter in tests). */
  readonly signals?: { on(event: 'SIGINT' | 'SIGTERM', fn: () => void): unknown; off(event: 'SIGINT' | 'SIGTERM', fn: () => void): unknown };
}

/**
 * The `tail-async` command: parses `argv` (without `node` and the script), runs, and resolves to the exit
 * status. It never calls `process.exit` and never throws for a user mistake.
 * @internal
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv, io.env ?? process.env);
  } catch (error) {
    if (isUsageError(error)) return usageError(io, error.message);
    throw error;
  }
  if (options.help) {
    io.stdout.write(renderHelp(helpWidth(io.env ?? process.env, io.stdout as { isTTY?: boolean; columns?: number })) + '\n');
    return EXIT.ok;
  }
  if (options.version) {
    io.stdout.write(`tail-async ${version()}\n`);
    return EXIT.ok;
  }
  for (const warning of options.warnings) io.stderr.write(`tail-async: ${warning}\n`);
  if (printsNothing(options)) return EXIT.ok;
  if (options.files.length === 0 && io.stdin.isTTY) {
    return usageError(io, 'no input: give a file to follow, or pipe data into standard input');
  }
  // GNU's warning: a terminal is read to its end (Ctrl-D), and then there is nothing to follow in it. Not
  // for `-f -` alone, which reads the terminal on and on as it is meant to.
  const alone = options.follow === 'descriptor' && options.files.length === 1 && options.pid === undefined;
  if (options.follow !== false && options.files.includes('-') && io.stdin.isTTY && !alone) {
    io.stderr.write('tail-async: warning: following standard input indefinitely is ineffective\n');
  }
  if (options.serve && options.sink !== undefined) return usageError(io, "options '--serve' and '--sink' cannot be used together");
  let sink: Sink | undefined;
  if (options.sink !== undefined) {
    // Lines count as shipped once the engine has them: without a state file, a restart could not resume after them.
    if (options.stateFile === undefined) return usageError(io, "option '--sink' needs '--state-file'");
    // Loaded only to ship: a command that prints lines starts without it.
    const { sinkFromUrl } = await import('../sinks/url.js');
    try {
      sink = sinkFromUrl(options.sink);
    } catch (error) {
      if (isUsageError(error)) return usageError(io, error.message);
      throw error;
    }
  }
  if (options.stateFile !== undefined) {
    // All inputs at once: without follow they are read one after the other, and none may be read first.
    try {
      refuseOwnInputs(options.stateFile, options.files, true);
    } catch (error) {
      if (!isStateFileRefusal(error)) throw error;
      io.stderr.write(`tail-async: ${error.message}\n`);
      return EXIT.usage;
    }
  }
  const env = io.env ?? process.env;
  const colour = highlights(options, io.stdout as { isTTY?: boolean }, env);
  let processors: Processor[];
  try {
    processors = await buildProcessors(options, { cwd: io.cwd ?? process.cwd(), colour, onDropped: (source, count) => io.stderr.write(`tail-async: ${droppedMessage(count, source === '-' ? 'standard input' : source)}\n`) });
  } catch (error) {
    if (error instanceof PluginError) {
      io.stderr.write(`tail-async: ${error.message}\n`);
      return EXIT.usage;
    }
    if (isUsageError(error)) return usageError(io, error.message);
    throw error;
  }
  return new Run(options, io, processors, sink).execute();
}

/**
 * GNU tail's "don't read anything if we'll never output anything": the last 0 lines or bytes, without
 * following, print nothing for any input, not even a header or an error for a missing file. A state file
 * is still brought up to date (that is what such a run is for).
 */
function printsNothing(options: CliOptions): boolean {
  const start = options.start;
  const none = start !== undefined && (('lines' in start && start.lines === 0) || ('bytes' in start && start.bytes === 0));
  return none && options.follow === false && options.stateFile === undefined;
}

/** A mistake in the command line: ours, or an option a processor rejected. */
function isUsageError(error: unknown): error is Error {
  return error instanceof UsageError || (error instanceof TailError && error.code === 'ERR_TAIL_OPTION');
}

function usageError(io: CliIO, message: string): number {
  io.stderr.write(`tail-async: ${message}\nTry 'tail-async --help' for more information.\n`);
  return EXIT.usage;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** One run of the command: owns the tail, the output and the signal handlers. */
class Run {
  private readonly options: CliOptions;
  private readonly io: CliIO;
  private readonly writer: OutputWriter;
  private readonly processors: Processor[];
  private readonly reporter: ErrorReporter;
  private skipped = 0;
  private stream: TailStream | undefined;
  /** Set when the run must end early: a signal, or the reader of stdout went away. */
  private exitOverride: number | undefined;
  private failed = false;
  /** The --pid process is gone: the run was stopped, it did not run out of files. */
  private pidGone = false;
  /** Whether the state file is behind: a save failed and none succeeded since. */
  private readonly saves = new StateFileSaves();
  /** Where output goes; stopped when the run is interrupted (a reader that never reads). */
  private readonly out: StdoutWriter;
  /** With --sink: where lines go instead of stdout, and what stops shipping (a signal, --pid). */
  private readonly sink: Sink | undefined;
  private readonly stopShipping = new AbortController();
  /** After a signal: stops the output once {@link SIGNAL_WRITE_MS} have passed. */
  private writeDeadline: NodeJS.Timeout | undefined;
  private readonly onSigint = () => this.interrupt(EXIT.sigint);
  private readonly onSigterm = () => this.interrupt(EXIT.sigterm);
  /** The reader of stdout went away while the file was quiet: as a failed write would (quietly, 141). */
  private readonly onReaderGone = () => this.onStdoutError(Object.assign(new Error('EPIPE: the reader of standard output went away'), { code: 'EPIPE' }));
  /** A write to stdout failed: the run ends (quietly, with 141, when the reader went away), in GNU's words. */
  private readonly onStdoutError = (error: NodeJS.ErrnoException) => {
    if (this.exitOverride !== undefined) return;
    if (error.code !== 'EPIPE') this.io.stderr.write(`tail-async: error writing 'standard output': ${describeErrno(error)}\n`);
    this.interrupt(error.code === 'EPIPE' ? EXIT.epipe : EXIT.failed);
  };

  constructor(options: CliOptions, io: CliIO, processors: Processor[], sink: Sink | undefined) {
    this.options = options;
    this.io = io;
    this.processors = processors;
    this.sink = sink;
    this.reporter = new ErrorReporter((message) => io.stderr.write(`tail-async: ${message}\n`));
    const inputs = options.files.length === 0 ? ['-'] : options.files;
    const headers = options.headers === 'always' || (options.headers === 'auto' && (inputs.length > 1 || inputs.some(isGlob)));
    // With jsonl, --timestamp is a field of its own rather than a prefix of the text (see buildProcessors).
    const stamped = options.output === 'jsonl' && options.steps.some((step) => step.kind === 'timestamp');
    this.writer = new OutputWriter({ headers, prefix: options.prefix, format: options.output, encoding: this.encoding(), ...(stamped && { clock: () => new Date() }) });
    this.out = new StdoutWriter(io.stdout, this.onStdoutError);
  }

  /** Raw output without processors passes bytes through (latin1); processors and JSON need real text. */
  private encoding(): 'latin1' | 'utf8' {
    return this.processors.length > 0 || this.options.output === 'jsonl' || this.sink || this.options.serve || this.windowed() ? 'utf8' : 'latin1';
  }

  /** --since or --until: lines are read for their time. */
  private windowed(): boolean {
    return this.options.since !== undefined || this.options.until !== undefined;
  }

  /** Raw output of unprocessed lines needs their bytes only: files hand them out in blocks, undecoded. */
  private blocks(): boolean {
    return this.encoding() === 'latin1' && this.options.output === 'raw' && !this.options.prefix;
  }

  async execute(): Promise<number> {
    this.io.signals?.on('SIGINT', this.onSigint);
    this.io.signals?.on('SIGTERM', this.onSigterm);
    this.io.stdout.on('error', this.onStdoutError);
    // As GNU tail while it follows: a reader that went away ends the run as a failed write would (141), even
    // when nothing more is written.
    // (Serving, nothing is written to stdout: its reader is nobody's concern.)
    const stopWatchingReader = (this.options.follow !== false && !this.options.serve && this.io.watchOutputReader?.(this.onReaderGone)) || (() => {});
    try {
      const given = this.options.files.length === 0 ? ['-'] : this.options.files;
      // With --backfill, a file given beside the name it was rotated from is that name's history (read with it).
      const history = this.options.backfill ? (await import('../history/siblings.js')).rotatedAmong(given.filter((input) => input !== '-')) : undefined;
      const inputs = history ? given.filter((input) => !history.has(input)) : given;
      const stdinClosed = this.io.closed?.stdin === true && !this.sink;
      // (With a state file, the run goes on to its first write, which fails, and saves where it was.)
      if (this.io.closed?.stdout && this.options.follow !== false && this.options.stateFile === undefined && !this.sink && !this.options.serve && inputs.some((input) => input !== '-')) {
        return this.closedOutput(inputs);
      }
      const sink = this.sink;
      if (sink) {
        await this.ship([...inputs], (stream) =>
          stream.pipeTo(sink, { signal: this.stopShipping.signal, drainTimeout: 500, onOutage: (event) => this.io.stderr.write(`tail-async: ${event.message}\n`) }),
        );
      } else if (this.options.serve) {
        const serve = this.options.serve;
        const { serveLines } = await import('./serve.js');
        await this.ship([...inputs], (stream) => serveLines(stream, serve, () => !this.pidGone, this.io.stderr, this.stopShipping.signal));
      } else if (this.options.follow === false && this.processors.length === 0 && !this.windowed()) {
        // One input after the other, so that headers (also of empty files) come out exactly as GNU's.
        // (With processors, one tail reads them all: processors are flushed and closed once, at the end.)
        const copy = canCopy(this.options, this.processors);
        for (const input of inputs) {
          if (this.exitOverride !== undefined) break;
          if (input === '-' && stdinClosed) await this.closedInput();
          else await (copy ? this.copy(input) : this.pump(input));
        }
      } else {
        const open = stdinClosed ? inputs.filter((input) => input !== '-') : inputs;
        if (open.length < inputs.length) await this.closedInput();
        if (open.length > 0) await this.pump([...open]);
        else if (this.options.follow !== false) this.io.stderr.write('tail-async: no files remaining\n');
      }
    } catch (error) {
      return this.exitOverride ?? this.report(error);
    } finally {
      stopWatchingReader();
      clearTimeout(this.writeDeadline);
      this.io.signals?.off('SIGINT', this.onSigint);
      this.io.signals?.off('SIGTERM', this.onSigterm);
      this.io.stdout.off('error', this.onStdoutError);
      this.reporter.close();
      if (this.skipped > 0) this.io.stderr.write(`tail-async: ${this.skipped} line${this.skipped === 1 ? '' : 's'} skipped after processor errors\n`);
      for (const line of droppedSummary(this.processors)) this.io.stderr.write(`tail-async: ${line}\n`);
    }
    // GNU tail closes standard input at the end when it read it, and says why that failed.
    if (this.readClosedStdin && this.exitOverride === undefined) this.io.stderr.write('tail-async: -: Bad file descriptor\n');
    const unsaved = this.saves.unsaved();
    if (unsaved !== undefined) {
      this.io.stderr.write(`tail-async: ${unsaved}\n`);
      return EXIT.failed;
    }
    return this.exitOverride ?? (this.failed ? EXIT.failed : EXIT.ok);
  }

  /** Standard input was read while closed: GNU tail's last words are about it. */
  private readClosedStdin = false;

  /**
   * Standard input, closed at the start (`<&-`), as GNU tail reads it: its header, and then it cannot be
   * looked at; following, it is given up as well.
   */
  private async closedInput(): Promise<void> {
    await this.out.write(this.writer.header('-'));
    this.io.stderr.write("tail-async: cannot fstat 'standard input': Bad file descriptor\n");
    if (this.options.follow !== false) this.io.stderr.write("tail-async: error reading 'standard input': Bad file descriptor\n");
    this.failed = true;
    this.readClosedStdin = true;
  }

  /**
   * Following with standard output closed at the start (`>&-`): as GNU tail, which reports the files it
   * cannot open, and then gives up before it follows anything (it would wait for ever, printing nowhere);
   * and, when it had something to print (a header, the last lines of a file), that it could not.
   */
  private closedOutput(inputs: readonly string[]): number {
    const o = this.options;
    const none = o.start !== undefined && (('lines' in o.start && o.start.lines === 0) || ('bytes' in o.start && o.start.bytes === 0));
    const headers = o.headers === 'always' || (o.headers === 'auto' && inputs.length > 1);
    let printed = false;
    for (const input of inputs) {
      if (input === '-' || isGlob(input)) continue;
      let fd: number;
      try {
        fd = openSync(osPath(input), constants.O_RDONLY | constants.O_NONBLOCK);
      } catch (error) {
        this.io.stderr.write(`tail-async: ${notices.cannotOpen(input, error as NodeJS.ErrnoException).message}\n`);
        continue;
      }
      try {
        const st = fstatSync(fd);
        printed ||= headers || (st.isFile() && st.size > 0 && !none);
      } finally {
        closeSync(fd);
      }
    }
    this.io.stderr.write('tail-async: standard output: Bad file descriptor\n');
    if (printed) this.io.stderr.write('tail-async: write error: Bad file descriptor\n');
    return EXIT.failed;
  }

  /**
   * Headers of files with nothing to show at the start (GNU prints them): written in the order they come,
   * one after the other, before the next batch.
   */
  private headerWrites: Promise<boolean> = Promise.resolve(true);

  private queueHeader(source: string): void {
    const header = this.writer.header(source);
    this.headerWrites = this.headerWrites.then((ok) => ok && this.out.write(header));
  }

  /**
   * What `name` is read from: `-` is standard input. The process's own is given by its name, which lets
   * the engine follow a regular file there with -f, as GNU tail does (`tail -f < app.log`).
   */
  private input(name: string): string | NamedStream {
    if (name !== '-' || this.io.stdin === process.stdin) return name;
    return { name: '-', stream: this.io.stdin };
  }

  /** Tails `input` to stdout, one write per batch, waiting for the reader when it is slow. */
  private async pump(input: string | string[]): Promise<void> {
    const names = Array.isArray(input) ? input : [input];
    const sources: TailInput = names.map((name) => this.input(name));
    let opened = 0;
    let failedHere = false;
    // One file of a no-follow run: headers (also of empty and unreadable files) follow GNU's.
    const single = !Array.isArray(input) && !isGlob(input);
    // Loaded on first use: a command that only copies files starts without the line engine.
    const { openTail } = await import('../tail.js');
    if (this.exitOverride !== undefined) return;
    const stream = openTail(sources, {
      ...this.tailOptions(names),
      // Followed files get their header at the start even when they have nothing to show, as in GNU tail.
      ...(!single && this.processors.length === 0 && { onEmptySelection: (source: string) => this.queueHeader(source) }),
      onNotice: (notice) => {
        if (notice.type === 'error') failedHere = true;
        // A file opened but unreadable (a directory) gets its header first, as in GNU tail.
        if (single && opened === 0 && isReadFailure(notice)) void this.out.write(this.writer.header(notice.source));
        this.notice(notice);
      },
    });
    this.stream = stream;
    const stopWatchingPid = this.watchPid(stream);
    try {
      for await (const batch of stream.batches()) {
        opened++;
        if (!(await this.headerWrites)) break;
        // In block mode the parts may be views of the read buffer: written through before the next read.
        const written = this.blocks() ? await this.out.writeThrough(this.writer.renderParts(batch)) : await this.out.write(this.writer.render(batch));
        // With --state-file, only lines the kernel took are delivered: a failed or interrupted write ends the run without them.
        if (!written) break;
        stream.commit(batch);
      }
    } catch (error) {
      // Files that could not be opened were reported as notices already.
      if (!(error instanceof TailError && error.code !== 'ABORT_ERR' && failedHere)) throw error;
      this.failed = true;
      // Following, the run ended by itself because no file is left to follow: GNU tail says so.
      if (this.options.follow !== false && this.exitOverride === undefined && !this.pidGone) this.io.stderr.write('tail-async: no files remaining\n');
    } finally {
      stopWatchingPid();
      this.skipped += stream.processorFailures.skipped;
      // Whatever ended the loop (end, signal, EPIPE): release everything, and save the state file, before exiting.
      await stream.close().catch((error: unknown) => this.io.stderr.write(`tail-async: ${String(error)}\n`));
    }
    // An empty file still gets its header, as in GNU tail.
    if (opened === 0 && !failedHere && this.exitOverride === undefined && single) {
      await this.out.write(this.writer.header(input));
    }
  }

  /**
   * Ships every input to the sink (see `TailStream.pipeTo`), retrying for as long as the engine is down,
   * saying so once at the start and once at the end of each outage; or serves them to browsers (--serve).
   * A signal or the end of the --pid process stops it: batches in flight get half a second to be
   * acknowledged, so that the exit stays within a second; what was not acknowledged is shipped again by
   * the next run.
   */
  private async ship(names: string[], deliver: (stream: TailStream) => Promise<unknown>): Promise<void> {
    const sources: TailInput = names.map((name) => this.input(name));
    let failedHere = false;
    const { openTail } = await import('../tail.js');
    if (this.exitOverride !== undefined) return;
    const stream = openTail(sources, {
      ...this.tailOptions(names),
      onNotice: (notice) => {
        if (notice.type === 'error') failedHere = true;
        this.notice(notice);
      },
    });
    this.stream = stream;
    const stopWatchingPid = this.watchPid(stream);
    try {
      await deliver(stream);
    } catch (error) {
      // Files that could not be opened were reported as notices already.
      if (!(error instanceof TailError && !(error instanceof SinkError) && error.code !== 'ABORT_ERR' && failedHere)) throw error;
      this.failed = true;
    } finally {
      stopWatchingPid();
      this.skipped += stream.processorFailures.skipped;
    }
  }

  /**
   * Prints the selection of a regular file as its bytes, in blocks, without framing lines (see
   * {@link canCopy}); anything else (standard input, a pattern, a FIFO, a file that cannot be opened)
   * goes to {@link pump}.
   */
  private async copy(input: string): Promise<void> {
    await using file = await FileCopy.open(input, this.options.start ?? DEFAULT_FILE_START, this.options.zero ? 0 : 0x0a);
    if (!file) return this.pump(input);
    // The header comes with the first bytes, or at the end for an empty selection, or before the error
    // when the file cannot be read, as in pump() and GNU tail.
    let headed = false;
    const header = async () => {
      if (!headed) await this.out.write(this.writer.header(input));
      headed = true;
    };
    try {
      await file.copyTo(async (block) => {
        await header();
        return this.out.writeThrough([block]);
      });
    } catch (error) {
      await header();
      this.notice(notices.readError(input, error as NodeJS.ErrnoException));
      this.failed = true;
      return;
    }
    await header();
  }

  private tailOptions(names: readonly string[]): EngineOptions {
    const o = this.options;
    // Following by name (the default), standard input without -n/-c is passed through as it arrives;
    // files default to the last 10 lines, and so does standard input otherwise, as in GNU tail.
    const start = o.since !== undefined ? undefined : (o.start ?? (o.follow !== 'name' ? DEFAULT_FILE_START : names.length === 1 && names[0] === '-' ? { fromLine: 1 } : undefined));
    return {
      start,
      ...(this.windowed() && { since: o.since, until: o.until, timeOf: commandTimeOf(o.steps, o.timeField, Date.now()) }),
      follow: o.follow,
      retry: o.retry,
      delimiter: o.zero ? '\0' : '\n',
      encoding: this.encoding(),
      blocks: this.blocks(),
      // One source copied as bytes: a partial last line comes out at once, as GNU tail prints it.
      partialLines: this.blocks() && names.length === 1 && !isGlob(names[0]!),
      processors: this.processors,
      onError: o.onError,
      onProcessorError: this.reporter.report,
      ...(o.processorTimeout !== undefined && { processorTimeout: secondsToMs(o.processorTimeout, 1) }),
      poll: o.poll,
      ...(o.sleepInterval !== undefined && { pollInterval: secondsToMs(o.sleepInterval, 1) }),
      ...(o.rotateWait !== undefined && { rotateWait: secondsToMs(o.rotateWait, 0) }),
      ...(o.maxOpenFiles !== undefined && { maxOpenFiles: o.maxOpenFiles }),
      ...(o.maxLineBytes !== undefined && { maxLineBytes: o.maxLineBytes }),
      ...(o.stateFile !== undefined && { checkpoint: o.stateFile }),
      ...(o.backfill && { backfill: true }),
    };
  }

  private notice(notice: Notice): void {
    this.saves.see(notice);
    // Raw output writes the pieces of a split line back to back: the bytes are unchanged, nothing to say.
    if (notice.type === 'line-too-long' && notice.action === 'split' && this.options.output === 'raw' && !this.options.prefix) return;
    this.io.stderr.write(`tail-async: ${notice.message}\n`);
  }

  /** With --pid: once that process is gone, read what is there and end. */
  private watchPid(stream: TailStream): () => void {
    const pid = this.options.pid;
    if (pid === undefined || this.options.follow === false) return () => {};
    const check = () => {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return;
        this.pidGone = true;
        stream.stop();
      }
    };
    check();
    // Every -s seconds, between 0.1 s (-s 0 must not spin) and 1 s.
    const timer = setInterval(check, Math.min(secondsToMs(this.options.sleepInterval ?? 0.25, MIN_WATCHED_POLL_MS), 1000));
    return () => clearInterval(timer);
  }

  /**
   * Ends the run early: on a signal, the lines the processors had finished are still written (within
   * {@link SIGNAL_WRITE_MS}) and count as delivered, then the tail closes (saving the state file); when
   * stdout failed, at once.
   */
  private interrupt(status: number): void {
    const first = this.exitOverride === undefined;
    this.exitOverride ??= status;
    // Shipping (or serving) stops through the pipe, which commits what is acknowledged in time and then closes the tail.
    if (this.sink || this.options.serve) {
      this.stopShipping.abort();
      return;
    }
    const stream = this.stream;
    // Nothing more is read, and the processors' work in progress is cut short (a plugin stuck in a loop
    // has its thread ended): the iteration ends after the lines they had finished.
    stream?.stop({ now: true });
    const stop = () => {
      this.out.stop();
      void stream?.close();
    };
    const signal = status === EXIT.sigint || status === EXIT.sigterm;
    if (!signal || !stream) stop();
    else if (first) {
      this.writeDeadline = setTimeout(stop, SIGNAL_WRITE_MS);
      this.writeDeadline.unref();
    }
  }

  private report(error: unknown): number {
    if (error instanceof TailError) {
      this.io.stderr.write(`tail-async: ${error.message}\n`);
      return isStateFileRefusal(error) ? EXIT.usage : EXIT.failed;
    }
    this.io.stderr.write(`tail-async: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  }
}
