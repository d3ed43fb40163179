import type { Processor, ProcessorObject } from './types.js';

/**
 * Marks a stateless filter that drops every line not containing one of these strings (printable
 * ASCII): `grep()` with literal patterns. Set on the first processor, it lets files skip decoding the
 * lines that cannot pass it (see {@link prefilterOf}).
 * @internal
 */
export const KEEPS_ONLY_CONTAINING = Symbol('tail-async.keepsOnlyContaining');

/**
 * The byte strings of which a line must contain one to get past the first processor, or undefined when
 * that processor says nothing about it. Lines without any can be counted and skipped before decoding:
 * the processor would have dropped them. The processor still sees every other line, so nothing changes
 * but the work saved.
 * @internal
 */
export function prefilterOf(processors: readonly Processor[]): readonly Buffer[] | undefined {
  const first = processors[0];
  if (first === undefined || typeof first === 'function') return undefined;
  const needles: unknown = (first as { [KEEPS_ONLY_CONTAINING]?: unknown })[KEEPS_ONLY_CONTAINING];
  if (!Array.isArray(needles) || needles.length === 0) return undefined;
  if (!needles.every((n) => typeof n === 'string' && /^[\x20-\x7e]+$/.test(n))) return undefined;
  return (needles as string[]).map((n) => Buffer.from(n, 'latin1'));
}

/** True when a pattern string means itself: no character with a meaning in a regular expression. @internal */
export function isLiteralPattern(pattern: string | RegExp): pattern is string {
  return typeof pattern === 'string' && /^[\x20-\x7e]+$/.test(pattern) && !/[\\^$.|?*+()[\]{}]/.test(pattern);
}

/**
 * Marks a built-in processor that keeps no state, has no side effect and answers synchronously (`grep`,
 * `exclude`, `json`): the engine may call it on lines it will not hand out, to find where the last N
 * lines that pass it begin.
 * @internal
 */
export const STATELESS = Symbol('tail-async.stateless');

/**
 * The processors at the head of the chain that are {@link STATELESS}: the filters `-n N` counts lines
 * through. Empty when the chain starts with anything else (a plugin, a multi-line joiner).
 * @internal
 */
export function statelessHead(processors: readonly Processor[]): ProcessorObject[] {
  const head: ProcessorObject[] = [];
  for (const p of processors) {
    if (typeof p === 'function' || (p as { [STATELESS]?: unknown })[STATELESS] !== true) break;
    head.push(p);
  }
  return head;
}
