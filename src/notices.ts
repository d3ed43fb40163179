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
  /** A line was longer than `maxLineBytes`: it was split, or truncated, at `offset`. */
  | NoticeOf<'line-too-long'> & { readonly offset: number; readonly action: 'split' | 'truncate' }
  /** A file could not be opened or read; without follow by name it is given up. */
  | NoticeOf<'error'> & { readonly error: NodeJS.ErrnoException };

interface NoticeOf<T extends string> {
  readonly type: T;
  /** The source as given (path, or `-`). */
  readonly source: string;
  /** A one-line description in GNU tail's words where GNU has them. */
  readonly message: string;
}

/** The kinds of {@link Notice}. */
export type NoticeType = Notice['type'];

/** Builds notices with GNU tail's wording (coreutils `tail.c`). @internal */
export const notices = {
  truncated: (source: string): Notice => ({ type: 'truncated', source, message: `${source}: file truncated` }),
  replaced: (source: string): Notice => ({
    type: 'replaced',
    source,
    message: `'${source}' has been replaced;  following new file`,
  }),
  appeared: (source: string): Notice => ({
    type: 'appeared',
    source,
    message: `'${source}' has appeared;  following new file`,
  }),
  inaccessible: (source: string, error: NodeJS.ErrnoException): Notice => ({
    type: 'inaccessible',
    source,
    error,
    message: `'${source}' has become inaccessible: ${describeErrno(error)}`,
  }),
  deleted: (source: string): Notice => ({
    type: 'deleted',
    source,
    message: `'${source}' has become inaccessible: No such file or directory`,
  }),
  lineTooLong: (source: string, offset: number, action: 'split' | 'truncate', max: number): Notice => ({
    type: 'line-too-long',
    source,
    offset,
    action,
    message: `${source}: line at byte ${offset} is longer than ${max} bytes; ${action === 'split' ? 'split' : 'truncated'}`,
  }),
  cannotOpen: (source: string, error: NodeJS.ErrnoException): Notice => ({
    type: 'error',
    source,
    error,
    message:
      error.code === 'EISDIR'
        ? `error reading '${source}': Is a directory`
        : `cannot open '${source}' for reading: ${describeErrno(error)}`,
  }),
  lostWhileParked: (source: string): Notice => ({
    type: 'error',
    source,
    error: Object.assign(new Error(`'${source}' is gone`), { code: 'ENOENT' }),
    message: `'${source}' was closed while idle (open-file limit) and has gone since; lines written to it meanwhile were not read`,
  }),
  readError: (source: string, error: NodeJS.ErrnoException): Notice => ({
    type: 'error',
    source,
    error,
    message: `error reading '${source}': ${describeErrno(error)}`,
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
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EFBIG: 'File too large',
  EBADF: 'Bad file descriptor',
};

/** The C library's text for an errno code, as GNU tools print it. @internal */
export function describeErrno(error: NodeJS.ErrnoException): string {
  return (error.code && ERRNO_TEXT[error.code]) ?? error.message;
}
