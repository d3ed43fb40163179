import { optionError } from '../errors.js';
import type { SinkLine } from './contract.js';

/** Placeholders a stream name or subject may hold. */
const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = new Set(['host', 'file']);
/** Names kept per template (one per file and host): bounded, as files come and go under a glob. */
const MAX_CACHED = 10_000;

/** A stream name or subject template, compiled (see {@link compileTemplate}). @internal */
export interface Template {
  /** The template as given. */
  readonly source: string;
  /** True when `{file}` is in it: one stream (or subject) per file. */
  readonly perFile: boolean;
  /** The name for a line of `file` read on `host`. */
  expand(host: string, file: string): string;
  /** The name of each line of a batch (lines of one file come in runs: one look-up a run). */
  names(batch: readonly SinkLine[]): string[];
}

/**
 * Compiles a template such as `logs:{host}:{file}`. `encode` turns each value into what the name may
 * hold (NATS subjects: one token, see {@link subjectToken}). Throws `ERR_TAIL_OPTION` for an unknown
 * placeholder.
 * @internal
 * @example
 * ```ts
 * compileTemplate('logs:{host}:{file}', 'stream').expand('web-1', '/var/log/app.log'); // 'logs:web-1:/var/log/app.log'
 * ```
 */
export function compileTemplate(template: string, what: string, encode: (value: string) => string = (value) => value): Template {
  if (typeof template !== 'string' || template === '') throw optionError(`${what} must be a non-empty string`);
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(name!)) throw optionError(`${what} '${template}': unknown placeholder {${name}} (known: {host}, {file})`);
  }
  const cache = new Map<string, string>();
  const expand = (host: string, file: string): string => {
    const id = `${host}\0${file}`;
    let name = cache.get(id);
    if (name === undefined) {
      if (cache.size >= MAX_CACHED) cache.clear();
      name = template.replace(PLACEHOLDER, (_, key: string) => encode(key === 'host' ? host : file));
      cache.set(id, name);
    }
    return name;
  };
  return {
    source: template,
    perFile: template.includes('{file}'),
    expand,
    names(batch) {
      const out: string[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const { host, line } = batch[i]!;
        const before = i > 0 ? batch[i - 1]! : undefined;
        out[i] = before && before.host === host && before.line.source === line.source ? out[i - 1]! : expand(host, line.source);
      }
      return out;
    },
  };
}

/**
 * A value as one token of a NATS subject: tokens are separated by `.`, and may hold neither white space
 * nor the wildcards `*` and `>`; each of these becomes `_` (so `/var/log/app.log` is `/var/log/app_log`).
 * @internal
 */
export function subjectToken(value: string): string {
  const token = value.replace(/[.*>\s]/g, '_');
  return token === '' ? '_' : token;
}

/** The subjects a stream must take for `template`: each token with a placeholder in it as the wildcard `*`. @internal */
export function subjectWildcard(template: Template): string {
  return template.source
    .split('.')
    .map((token) => (/\{(host|file)\}/.test(token) ? '*' : token))
    .join('.');
}
