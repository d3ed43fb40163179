import { quoteAlways, quoteIfNeeded } from './quote.js';
/**
 * What happened to a followed file, reported through {@link TailOptions.onNotice}. Each notice carries
 * a `message` worded like GNU tail's (without the `tail: ` prefix), so a CLI can print it as it is.
 *
 * @example
 * ```ts
 * tail('app.log', { onNotice: (n) => console.error(`tail-async: ${n.message}`) });
 * ```
 */
export type Notice =
  /** The file shrank below the read position, or its first bytes changed: it is read again from 0. */
  | NoticeOf<'truncated'>
  /** The name now points to another file (rotation); the old one is drained, the new one read from 0. */
  | NoticeOf<'replaced'>
  /** A file that did not exist (or had gone) exists at the name now; it is read from 0. */
  | NoticeOf<'appeared'>
  /** The name no longer leads to a readable file (renamed away, or no permission); `error` says why. */
  | NoticeOf<'inaccessible'> & { readonly error: NodeJS.ErrnoException }
  /** The file was deleted (its last link removed); it is drained, then released after the grace period. */
  | NoticeOf<'deleted'>
  /**
   * The name leads to something that is not a regular file (a directory): nothing is read from it; the
   * name is watched, and a file that takes it again is followed.
   */
  | NoticeOf<'untailable'>
  /**
   * Files came to the name and left it again between two looks, faster than they could be seen, and
   * some of them were not found afterwards (deleted, or moved out of the directory): their lines may be
   * lost. `count` is how many such files there may have been.
   */
  | NoticeOf<'missed'> & { readonly count: number }
  /** A line was longer than `maxLineBytes`: it was split, or truncated, at `offset`. */
  | NoticeOf<'line-too-long'> & { readonly offset: number; readonly action: 'split' | 'truncate' }
  /** A file could not be opened or read; without follow by name it is given up. */
  | NoticeOf<'error'> & { readonly error: NodeJS.ErrnoException }
  /**
   * What failed and was reported as an `error` works again: the state file (`checkpoint`), whose saves
   * failed (error code `ERR_CHECKPOINT_WRITE`), was saved again.
   */
  | NoticeOf<'recovered'>;

interface NoticeOf<T extends string> {
  readonly type: T;
  /** The source as given (path, or `-`). */
  readonly source: string;
  /** A one-line description in GNU tail's words where GNU has them. */
  readonly message: string;
}

/**
 * The kinds of {@link Notice}.
 *
 * @example
 * ```ts
 * const counts = new Map<NoticeType, number>();
 * tail('app.log', { onNotice: (n) => counts.set(n.type, (counts.get(n.type) ?? 0) + 1) });
 * ```
 */
export type NoticeType = Notice['type'];

/** Builds notices with GNU tail's wording (coreutils `tail.c`). @internal */
export const notices = {
  truncated: (source: string): Notice => ({ type: 'truncated', source, message: `${quoteIfNeeded(source)}: file truncated` }),
  replaced: (source: string): Notice => ({
    type: 'replaced',
    source,
    message: `${quoteAlways(source)} has been replaced;  following new file`,
  }),
  appeared: (source: string): Notice => ({
    type: 'appeared',
    source,
    message: `${quoteAlways(source)} has appeared;  following new file`,
  }),
  inaccessible: (source: string, error: NodeJS.ErrnoException): Notice => ({
    type: 'inaccessible',
    source,
    error,
    message: `${quoteAlways(source)} has become inaccessible: ${describeErrno(error)}`,
  }),
  deleted: (source: string): Notice => ({
    type: 'deleted',
    source,
    message: `${quoteAlways(source)} has become inaccessible: No such file or directory`,
  }),
  lineTooLong: (source: string, offset: number, action: 'split' | 'truncate', max: number): Notice => ({
    type: 'line-too-long',
    source,
    offset,
    action,
    message: `${quoteIfNeeded(source)}: line at byte ${offset} is longer than ${max} bytes; ${action === 'split' ? 'split' : 'truncated'}`,
  }),
  cannotOpen: (source: string, error: NodeJS.ErrnoException): Notice => ({
    type: 'error',
    source,
    error,
    message:
      error.code === 'EISDIR'
        ? `error reading ${quoteAlways(source)}: Is a directory`
        : `cannot open ${quoteAlways(source)} for reading: ${describeErrno(error)}`,
  }),
  /** A pattern that matches no file (the shell would pass it on as a name; tail-async says what it is). */
  noMatch: (pattern: string): Notice & { readonly error: NodeJS.ErrnoException } => ({
    type: 'error',
    source: pattern,
    error: Object.assign(new Error(`no file matches ${quoteAlways(pattern)}`), { code: 'ENOENT' }),
    message: `no file matches ${quoteAlways(pattern)}`,
  }),
  accessible: (source: string): Notice => ({ type: 'appeared', source, message: `${quoteAlways(source)} has become accessible` }),
  untailable: (source: string): Notice => ({ type: 'untailable', source, message: `${quoteAlways(source)} has been replaced with an untailable file` }),
  cannotFollow: (source: string): Notice => ({ type: 'untailable', source, message: `${quoteIfNeeded(source)}: cannot follow end of this type of file` }),
  /** Following by descriptor with --retry, something that is not a file to follow came at the name: it is given up (GNU). */
  untailableGivingUp: (source: string): Notice & { readonly error: NodeJS.ErrnoException } => ({
    type: 'error',
    source,
    error: Object.assign(new Error(`${quoteAlways(source)} has been replaced with an untailable file`), { code: 'EINVAL' }),
    message: `${quoteAlways(source)} has been replaced with an untailable file; giving up on this name`,
  }),
  /** Following by descriptor, a name that is not a file to follow is dropped (GNU, without --retry). */
  givingUp: (source: string): Notice => ({ type: 'untailable', source, message: `${quoteIfNeeded(source)}: cannot follow end of this type of file; giving up on this name` }),
  missed: (source: string, count: number): Notice => ({
    type: 'missed',
    source,
    count,
    message: `${quoteAlways(source)} was replaced faster than it could be looked at: ${count === 1 ? 'a file' : `${count} files`} that held the name may have been missed`,
  }),
  lostWhileParked: (source: string): Notice => ({
    type: 'error',
    source,
    error: Object.assign(new Error(`${quoteAlways(source)} is gone`), { code: 'ENOENT' }),
    message: `${quoteAlways(source)} was closed while idle (open-file limit) and has gone since; lines written to it meanwhile were not read`,
  }),
  recovered: (source: string, message: string): Notice => ({ type: 'recovered', source, message }),
  readError: (source: string, error: NodeJS.ErrnoException): Notice => ({
    type: 'error',
    source,
    error,
    // `-` is standard input, named as GNU tail names it.
    message: `error reading ${quoteAlways(source === '-' ? 'standard input' : source)}: ${describeErrno(error)}`,
  }),
};

/**
 * True for a file that could be opened but not read (a directory, an I/O error): GNU tail prints such
 * a file's header before the error, unlike one that could not be opened at all. @internal
 */
export function isReadFailure(notice: Notice): boolean {
  return notice.type === 'error' && notice.message.startsWith('error reading ');
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  ESTALE: 'Stale file handle',
  ENAMETOOLONG: 'File name too long',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'Read-only file system',
  EFBIG: 'File too large',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  EBUSY: 'Device or resource busy',
  EBADF: 'Bad file descriptor',
};

/** The C library's text for an errno code, as GNU tools print it. @internal */
export function describeErrno(error: NodeJS.ErrnoException): string {
  return (error.code && ERRNO_TEXT[error.code]) ?? error.message;
}
