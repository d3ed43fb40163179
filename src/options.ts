import type { LineBlock } from './lines/line.js';
import type { Notice } from './notices.js';
import { optionError, type ProcessorError } from './errors.js';
import type { ErrorPolicy, Processor } from './chain/types.js';
import { prefilterOf } from './chain/prefilter.js';
import { timerDelay } from './timer-delay.js';

/**
 * Where reading starts in each source, with GNU tail's meanings:
 * - `{ lines: N }`: the last N lines (`tail -n N`); `{ lines: 0 }` reads only data written from now on.
 * - `{ bytes: N }`: the last N bytes (`tail -c N`).
 * - `{ fromLine: N }`: from line N on, counting from 1 (`tail -n +N`).
 * - `{ fromByte: N }`: from byte N on, counting from 1 (`tail -c +N`).
 *
 * On a regular file, the last N lines are found by scanning backwards from the end, so the cost depends
 * on the size of those lines, not of the file. On a stream (stdin, a pipe), "last N" waits for the end.
 *
 * @example
 * ```ts
 * tail('app.log', { start: { lines: 100 } }); // like tail -n 100 -F app.log
 * tail('app.log', { start: { fromLine: 1 } }); // the whole file, then follow
 * ```
 */
export type StartPosition =
  | { readonly lines: number }
  | { readonly bytes: number }
  | { readonly fromLine: number }
  | { readonly fromByte: number };

/**
 * How files are followed once their selection has been read:
 * - `'name'` (default, `tail -F`): follows the path: survives rotation, deletion and re-creation, and waits
 *   for a path that does not exist yet.
 * - `'descriptor'` (`tail -f`): keeps reading the file first opened, whatever happens to its name.
 * - `false`: reads the selection and ends.
 *
 * @example
 * ```ts
 * const follow: FollowMode = process.argv.includes('-f') ? 'descriptor' : 'name';
 * for await (const line of tail('app.log', { follow })) console.log(line.text);
 * ```
 */
export type FollowMode = 'name' | 'descriptor' | false;

/**
 * Options of {@link tail}. Every option is optional; the defaults are those of `tail -F -n 10`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const lines = tail(['app.log', 'err.log'], {
 *   start: { lines: 0 },
 *   follow: 'name',
 *   rotateWait: 5_000,
 *   signal: controller.signal,
 *   onNotice: (notice) => console.error(notice.message),
 * });
 * ```
 */
export interface TailOptions {
  /** Where reading starts. Default `{ lines: 10 }` for files, all of the input for streams. */
  readonly start?: StartPosition;
  /** How to follow. Default `'name'`. */
  readonly follow?: FollowMode;
  /**
   * With `follow: 'descriptor'`: a file missing or unreadable at the start is waited for, and followed by
   * descriptor once it is opened (GNU `tail --retry -f`). Default `false`. Following by name always waits.
   */
  readonly retry?: boolean;
  /** Line delimiter: `'\n'` (default) or `'\0'` (like `tail -z`). */
  readonly delimiter?: '\n' | '\0';
  /**
   * Longest line kept whole, in bytes (default 16 MiB). A longer line is split into pieces of at most
   * this size (`overlong: 'split'`, default) or cut to this size and the rest skipped (`'truncate'`);
   * either way a `line-too-long` notice is sent and memory stays bounded.
   */
  readonly maxLineBytes?: number;
  /** What to do with lines longer than `maxLineBytes`. Default `'split'`. */
  readonly overlong?: 'split' | 'truncate';
  /** Encoding of `Line.text`: `'utf8'` (default), `'latin1'` or `'ascii'` (delimiters are found in bytes). */
  readonly encoding?: 'utf8' | 'latin1' | 'ascii';
  /**
   * Use no file system notifications, only polling every `pollInterval` ms: for NFS, FUSE and other
   * mounts where inotify sees nothing. Default `false`.
   */
  readonly poll?: boolean;
  /**
   * Milliseconds between checks of every followed file. With `poll: true` this is the only way changes
   * are seen (default 1000, like GNU `-s 1`); otherwise it is the safety net under the watchers (default
   * 1000, and never less than 100: watchers see changes at once, so a faster check would only cost CPU).
   * Delays above 2³¹−1 ms (about 24.8 days), here and in `processorTimeout`, count as 2³¹−1 ms.
   */
  readonly pollInterval?: number;
  /**
   * How long, in ms, a rotated or deleted file keeps being read after its last growth before its handle
   * is closed (default 2000). Writers that still hold the old file (logrotate `create` before the
   * `postrotate` signal) lose nothing within this time.
   */
  readonly rotateWait?: number;
  /** Receives every {@link Notice}. A throw inside it is reported as a process warning and ignored. */
  readonly onNotice?: (notice: Notice) => void;
  /** Aborting it closes every file and watcher; a pending or later `next()` rejects with an `AbortError` (`name` `AbortError`, `code` `ABORT_ERR`, the reason as `cause`). */
  readonly signal?: AbortSignal;
  /** Largest read from a file at once, in bytes (default 256 KiB). */
  readonly readSize?: number;
  /**
   * Most files held open at once (default 256). Beyond it, the files least recently active are closed
   * and opened again, by identity, when they change; their offsets are kept. A file renamed within its
   * directory while closed is still found; one deleted or moved elsewhere meanwhile is reported lost.
   * Old files still being drained after a rotation are never closed early.
   */
  readonly maxOpenFiles?: number;
  /**
   * Treat paths with wildcards (`*`, `?`, `[…]`, `{a,b}`, `**`) as patterns, unless a file of that exact
   * name exists (default `true`). Files matching at the start get the start position; with follow,
   * files that start matching later are read from their first byte.
   */
  readonly glob?: boolean;
  /**
   * Processors every line goes through, in order (filter, map, expand, parse, join): see
   * {@link Processor}. Each call is isolated: a failure costs one line, never the stream.
   */
  readonly processors?: readonly Processor[];
  /** What a processor failure does to its line: `'log'` (default), `'pass'`, `'skip'` or `'stop'`. */
  readonly onError?: ErrorPolicy;
  /**
   * Receives every reported processor failure (policies `log` and `pass`). Default: written to stderr,
   * the first few in full and then as a count every 10 s.
   */
  readonly onProcessorError?: (error: ProcessorError) => void;
  /** How long, in ms, an async processor may take on one line before it counts as failed. Default 30 000. */
  readonly processorTimeout?: number;
  /**
   * A state file: where each file was when the last line was delivered is saved there (at most about
   * once a second, and at the end), and files resume from there on the next run, when they are still
   * the same files. Lines are delivered at least once, in order. The state file is locked for one tail at
   * a time and checked before anything is read (`tail()` throws `ERR_CHECKPOINT_INPUT` if it is among the
   * inputs; the first `next()` rejects with `ERR_CHECKPOINT_UNWRITABLE` or `ERR_CHECKPOINT_LOCKED`); a
   * failed save is an `error` notice, and a `recovered` one follows once saves work again. See the
   * README's Checkpoints.
   */
  readonly checkpoint?: string;
  /**
   * With a `checkpoint`: whether asking for the next line or batch commits the ones handed out before it
   * (default `true`). With `false`, only {@link TailStream.commit} does, so that lines shipped
   * asynchronously count as delivered when they are acknowledged, in any order (see the README's Checkpoints).
   */
  readonly autoCommit?: boolean;
  /**
   * Read each file's rotated history first (default `false`): its siblings `NAME.N`, `NAME.N.gz`,
   * `NAME-DATE`, `NAME-DATE.gz` (and `.zst`), oldest first, compressed ones decompressed as they are
   * read; then the file itself from its first byte (`start` does not apply to it), then follow it. Only
   * for files followed from the start (given, or matched by a pattern then), and with a `checkpoint`
   * only for files it has no record of. With a pattern, a match that is a rotated form of another match
   * is read as that one's history, not followed as a name of its own. Lines carry the followed name.
   *
   * @example
   * ```ts
   * // Everything app.log held, rotated or not, then every line appended.
   * for await (const line of tail('/var/log/app.log', { backfill: true })) console.log(line.text);
   * ```
   */
  readonly backfill?: boolean;
}

/**
 * Options of the engine that are not part of the public API.
 * @internal
 */
export interface EngineOptions extends TailOptions {
  /**
   * Files hand out their complete lines as {@link LineBlock}s of undecoded bytes (see `FramerOptions.blocks`):
   * for the command when it only copies bytes. Needs `encoding: 'latin1'`, `overlong: 'split'` and no processors.
   */
  readonly blocks?: boolean;
  /**
   * An unfinished line at the end of what a read found is emitted at once, as a piece without terminator
   * (`eol: ''`), and its rest as the next piece (GNU tail prints a partial last line as it is): for the
   * command when it copies the bytes of one source.
   */
  readonly partialLines?: boolean;
  /**
   * Called, in the order the sources were given, for each file opened with nothing to show from its
   * start position, at the point where its lines would have come (GNU prints its header there).
   */
  readonly onEmptySelection?: (source: string) => void;
}

/** Options with every default applied and every value checked. @internal */
export interface ResolvedOptions {
  readonly start: StartPosition | undefined;
  readonly follow: FollowMode;
  readonly retry: boolean;
  readonly delimiter: 10 | 0;
  readonly maxLineBytes: number;
  readonly overlong: 'split' | 'truncate';
  readonly encoding: 'utf8' | 'latin1' | 'ascii';
  readonly poll: boolean;
  readonly pollInterval: number;
  readonly rotateWait: number;
  readonly readSize: number;
  readonly maxOpenFiles: number;
  readonly blocks: boolean;
  readonly partialLines: boolean;
  readonly onEmptySelection: ((source: string) => void) | undefined;
  /** Byte strings a line must contain to get past the first processor (see `prefilterOf`). */
  readonly prefilter: readonly Buffer[] | undefined;
  readonly glob: boolean;
  readonly processors: readonly Processor[];
  readonly onError: ErrorPolicy;
  readonly onProcessorError: ((error: ProcessorError) => void) | undefined;
  readonly processorTimeout: number;
  readonly checkpoint: string | undefined;
  readonly autoCommit: boolean;
  readonly backfill: boolean;
  readonly onNotice: (notice: Notice) => void;
  readonly signal: AbortSignal | undefined;
}

/** Default cap on open files: well under the usual limit of 1024 descriptors, leaving room for the rest. @internal */
export const DEFAULT_MAX_OPEN_FILES = 256;

/**
 * The shortest safety poll under the watchers, in ms: they see changes within milliseconds, and polling
 * faster only burns CPU (`-s 0` with 100 quiet files: about 0.2 s of CPU a second at 1 ms).
 * @internal
 */
export const MIN_WATCHED_POLL_MS = 100;

/** The default start for files: `tail -n 10`. @internal */
export const DEFAULT_FILE_START: StartPosition = { lines: 10 };

/** Applies defaults and rejects bad values with an error naming the option. @internal */
export function resolveOptions(options: EngineOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw optionError('tail(): options must be an object');
  const follow = options.follow ?? 'name';
  if (follow !== 'name' && follow !== 'descriptor' && follow !== false) {
    throw optionError(`tail(): follow must be 'name', 'descriptor' or false, not ${String(follow)}`);
  }
  const delimiter = options.delimiter ?? '\n';
  if (delimiter !== '\n' && delimiter !== '\0') throw optionError(`tail(): delimiter must be '\\n' or '\\0'`);
  const overlong = options.overlong ?? 'split';
  if (overlong !== 'split' && overlong !== 'truncate') {
    throw optionError(`tail(): overlong must be 'split' or 'truncate', not ${String(overlong)}`);
  }
  const encoding = options.encoding ?? 'utf8';
  if (encoding !== 'utf8' && encoding !== 'latin1' && encoding !== 'ascii') {
    throw optionError(`tail(): encoding must be 'utf8', 'latin1' or 'ascii', not ${String(encoding)}`);
  }
  if (options.start !== undefined) checkStart(options.start);
  const processors = checkProcessors(options.processors);
  const blocks = options.blocks === true;
  if (blocks && (encoding !== 'latin1' || overlong !== 'split' || processors.length > 0)) {
    throw optionError('tail(): blocks need latin1, overlong split and no processors');
  }
  const autoCommit = options.autoCommit ?? true;
  if (typeof autoCommit !== 'boolean') throw optionError('tail(): autoCommit must be true or false');
  const poll = options.poll ?? false;
  const pollInterval = timerDelay(positiveInt('pollInterval', options.pollInterval, 1000));
  const onNotice = options.onNotice;
  if (onNotice !== undefined && typeof onNotice !== 'function') throw optionError('tail(): onNotice must be a function');
  return {
    start: options.start,
    follow,
    retry: options.retry === true,
    delimiter: delimiter === '\n' ? 10 : 0,
    maxLineBytes: positiveInt('maxLineBytes', options.maxLineBytes, 16 * 1024 * 1024),
    overlong,
    encoding,
    poll,
    pollInterval: poll ? pollInterval : Math.max(pollInterval, MIN_WATCHED_POLL_MS),
    rotateWait: nonNegativeInt('rotateWait', options.rotateWait, 2000),
    readSize: positiveInt('readSize', options.readSize, 256 * 1024),
    maxOpenFiles: positiveInt('maxOpenFiles', options.maxOpenFiles, DEFAULT_MAX_OPEN_FILES),
    blocks,
    partialLines: options.partialLines === true,
    onEmptySelection: options.onEmptySelection,
    prefilter: prefilterOf(processors),
    glob: options.glob ?? true,
    processors,
    onError: checkPolicy(options.onError),
    onProcessorError: options.onProcessorError,
    processorTimeout: timerDelay(positiveInt('processorTimeout', options.processorTimeout, 30_000)),
    checkpoint: checkCheckpoint(options.checkpoint),
    autoCommit,
    backfill: checkBoolean('backfill', options.backfill),
    onNotice: onNotice ? guardNoticeHandler(onNotice) : () => {},
    signal: options.signal,
  };
}

function checkProcessors(processors: readonly Processor[] | undefined): readonly Processor[] {
  if (processors === undefined) return [];
  if (!Array.isArray(processors)) throw optionError('tail(): processors must be an array');
  processors.forEach((p, i) => {
    const ok = typeof p === 'function' || (typeof p === 'object' && p !== null && typeof p.process === 'function');
    if (!ok) throw optionError(`tail(): processors[${i}] must be a function or an object with a process() method`);
  });
  return processors;
}

function checkBoolean(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw optionError(`tail(): ${name} must be true or false`);
  return value === true;
}

function checkCheckpoint(file: string | undefined): string | undefined {
  if (file !== undefined && (typeof file !== 'string' || file === '')) throw optionError('tail(): checkpoint must be the path of a state file');
  return file;
}

function checkPolicy(policy: ErrorPolicy | undefined): ErrorPolicy {
  if (policy === undefined) return 'log';
  if (policy !== 'log' && policy !== 'pass' && policy !== 'skip' && policy !== 'stop') {
    throw optionError(`tail(): onError must be 'log', 'pass', 'skip' or 'stop', not ${String(policy)}`);
  }
  return policy;
}

function checkStart(start: StartPosition): void {
  const entries = typeof start === 'object' && start !== null ? Object.entries(start) : [];
  const [key, value] = entries[0] ?? [];
  const known = key === 'lines' || key === 'bytes' || key === 'fromLine' || key === 'fromByte';
  if (entries.length !== 1 || !known || !Number.isSafeInteger(value) || (value as number) < 0) {
    throw optionError(
      'tail(): start must be one of { lines: N }, { bytes: N }, { fromLine: N }, { fromByte: N } with N a whole number >= 0',
    );
  }
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw optionError(`tail(): ${name} must be a whole number > 0, not ${value}`);
  return value;
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw optionError(`tail(): ${name} must be a whole number >= 0, not ${value}`);
  return value;
}

function guardNoticeHandler(handler: (notice: Notice) => void): (notice: Notice) => void {
  return (notice) => {
    try {
      handler(notice);
    } catch (error) {
      process.emitWarning(`tail-async: onNotice threw while handling "${notice.type}": ${String(error)}`);
    }
  };
}
