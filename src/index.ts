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
export type { TailInput, NamedStream, TailStream, StopOptions } from './tail-stream.js';
export type { TailOptions, StartPosition, FollowMode } from './options.js';
export type { Line, LineEnding } from './lines/line.js';
export type { Notice, NoticeType } from './notices.js';
export { TailError, AbortError, ProcessorError, SinkError, PluginError } from './errors.js';
export type { Sink, SinkLine, SendResult, FileIdentity, PipeOptions, PipeResult, RetryOptions, OutageEvent } from './sinks/contract.js';
export { redisSink } from './sinks/redis.js';
export type { RedisSinkOptions } from './sinks/redis.js';
export { natsSink } from './sinks/nats.js';
export type { NatsSinkOptions } from './sinks/nats.js';
export { sinkFromUrl } from './sinks/url.js';
export { serve } from './serve/serve.js';
export type { ServeOptions, ServeHandle } from './serve/serve.js';
export type {
  Processor,
  ProcessorFunction,
  ProcessorObject,
  ProcessorOutput,
  LineContext,
  Emitted,
  ErrorPolicy,
} from './chain/types.js';
export { processLines } from './chain/process-lines.js';
export { loadPlugin } from './plugins/load.js';
export type { PluginOptions } from './plugins/load.js';
export type { ProcessLinesOptions } from './chain/process-lines.js';
export { grep } from './chain/processors/grep.js';
export { exclude } from './chain/processors/exclude.js';
export { multiline } from './chain/processors/multiline.js';
export { json } from './chain/processors/json.js';
export { timestamp } from './chain/processors/timestamp.js';
export { highlight } from './chain/processors/highlight.js';
export { logfmt, parseLogfmt } from './chain/processors/logfmt.js';
export type { LogfmtOptions } from './chain/processors/logfmt.js';
export { regex } from './chain/processors/regex.js';
export type { RegexOptions } from './chain/processors/regex.js';
export { format } from './chain/processors/format.js';
export type { FormatOptions } from './chain/processors/format.js';
export type { JsonOptions } from './chain/processors/json.js';
export type { RecordOptions } from './chain/records/processor.js';
export { rateLimit, type RateLimitOptions, type DroppingProcessor } from './chain/processors/rate-limit.js';
export { sample } from './chain/processors/sample.js';
