/**
 * tail-async: follow log files like `tail -F`, as an async iterator.
 *
 * @example
 * ```ts
 * import { tail } from 'tail-async';
 * for await (const line of tail('app.log')) console.log(line.text);
 * ```
 * @packageDocumentation
 */
export { tail } from './tail.js';
export type { TailInput, NamedStream, TailStream } from './tail.js';
export type { TailOptions, StartPosition, FollowMode } from './options.js';
export type { Line, LineEnding } from './lines/line.js';
export type { Notice, NoticeType } from './notices.js';
export { TailError } from './errors.js';
