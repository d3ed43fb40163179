import type { Line } from '../lines/line.js';
import type { Origin, ResumePoint } from '../sources/resume.js';
import { LineCtx } from '../chain/context.js';
import type { ChainOutput } from '../chain/run.js';

/** A position to record: the lines of `origin` before `point` were delivered. @internal */
export interface Mark {
  readonly origin: Origin;
  readonly point: ResumePoint;
}

/**
 * Where the sources of one hand-out (the lines given to the consumer at once) resume as its lines are
 * delivered in order.
 * @internal
 */
export interface Placement {
  /** The mark to make once lines 0..i are delivered; undefined when none may be made yet. */
  at(i: number): Mark | undefined;
  /** The source whose order line i is delivered in (the source of the last line it was made from). */
  sourceOf(i: number): string | undefined;
  /** Set when every line is of this one source: then {@link sourceOf} need not be asked line by line. */
  readonly source?: string | undefined;
  /** The marks to make once every line is delivered (at once, for a hand-out without lines). */
  readonly passed: readonly Mark[];
}

const after = (line: Line): ResumePoint => ({ offset: line.end, line: line.lineNumber + 1 });
const before = (line: Line): ResumePoint => ({ offset: line.offset, line: line.lineNumber });
const earlier = (a: ResumePoint | undefined, b: ResumePoint | undefined) => (a === undefined ? b : b === undefined || a.offset <= b.offset ? a : b);
const later = (a: ResumePoint | undefined, b: ResumePoint) => (a === undefined || b.offset > a.offset ? b : a);

/**
 * Lines handed out as they were read from `origin` (no processors): each resumes after itself.
 * @internal
 * @example
 * ```ts
 * plainPlacement(batch, origin).at(0); // { origin, point: { offset: batch[0].end, line: batch[0].lineNumber + 1 } }
 * ```
 */
export function plainPlacement(lines: readonly Line[], origin: Origin | undefined): Placement {
  const at = (i: number): Mark | undefined => (origin ? { origin, point: after(lines[i]!) } : undefined);
  const last = lines.length > 0 ? at(lines.length - 1) : undefined;
  return { at, sourceOf: () => origin?.source, source: origin?.source, passed: last ? [last] : [] };
}

/**
 * Lines whose delivery moves no position: what stateful processors emit at the end of the input. Their
 * files were read to the end and closed, and those lines are read again next time (with whatever was
 * appended to them meanwhile: an event held at the end may not be over).
 * @internal
 */
export const UNPLACED: Placement = { at: () => undefined, sourceOf: () => undefined, passed: [] };

/** What the chain said of a batch, for {@link chainPlacement}. @internal */
export interface ChainState {
  /** See `Chain.held`. */
  held(source: string): LineCtx[] | 'unknown';
  /** See `Chain.stoppedAt`. */
  readonly stoppedAt: LineCtx | undefined;
}

/** Blocked: this file cannot advance in this hand-out (lines of it are held, or part of an event that spans files). */
const BLOCKED = { offset: -1, line: 0 } as const;

/**
 * Lines out of the processing chain. `input` is the batch that went in (absent for what a flush emitted).
 * Each output line stands for the lines read from its event's first line to its last; once lines 0..i
 * are delivered, a file resumes after the furthest such line, but never past the first line of an
 * output still to come, nor past the first line a stateful processor holds. Lines filtered out are thus
 * passed with the next line delivered after them, or once the whole hand-out is (then a file resumes
 * after the batch, less what is held; with a stateful processor that cannot tell what it holds, after
 * its last line delivered).
 * @internal
 * @example
 * ```ts
 * const out = await chain.run(batch, origin);
 * tracker.handOut(out.lines, chainPlacement(out, { origin, last: batch.at(-1)! }, chain));
 * ```
 */
export function chainPlacement(output: ChainOutput, input: { origin: Origin | undefined; last: Line } | undefined, chain: ChainState): Placement {
  const { ctxs } = output;
  const held = new Map<Origin, ResumePoint | 'unknown' | undefined>();
  /** The first line held of `origin` (BLOCKED when a held event began in an earlier file of its name). */
  const heldOf = (origin: Origin): ResumePoint | 'unknown' | undefined => {
    if (held.has(origin)) return held.get(origin);
    const found = chain.held(origin.source);
    let point: ResumePoint | 'unknown' | undefined;
    if (found === 'unknown') point = 'unknown';
    else for (const ctx of found) point = earlier(point as ResumePoint | undefined, LineCtx.firstOrigin(ctx) === origin ? before(LineCtx.firstLine(ctx)) : BLOCKED);
    held.set(origin, point);
    return point;
  };
  const lastOrigin = (i: number) => LineCtx.lastOrigin(ctxs[i]!) as Origin | undefined;

  // Once everything is delivered: each file after its batch (or its last line out), less what is held.
  // (Lines out of the batch's own file are behind its end: only lines of other files are looked at.)
  const furthest = new Map<Origin, Line>();
  const inputOrigin = input?.origin;
  const firstOrigin = ctxs.length > 0 ? lastOrigin(0) : undefined;
  let single = true;
  for (let i = 0; i < ctxs.length; i++) {
    const origin = lastOrigin(i);
    if (origin === inputOrigin && origin === firstOrigin) continue;
    if (origin !== firstOrigin) single = false;
    if (!origin || origin === inputOrigin) continue;
    const line = LineCtx.lastLine(ctxs[i]!);
    const known = furthest.get(origin);
    if (!known || line.end > known.end) furthest.set(origin, line);
  }
  const reachedBy = new Map<Origin, ResumePoint>([...furthest].map(([origin, line]) => [origin, after(line)]));
  if (input?.origin) reachedBy.set(input.origin, after(input.last));
  const passed: Mark[] = [];
  for (const [origin, reached] of reachedBy) {
    const hold = heldOf(origin);
    let point: ResumePoint | undefined = reached;
    if (hold === 'unknown') {
      // What it holds is not known: only lines out of it count, not the lines read after them.
      point = undefined;
      for (let i = 0; i < ctxs.length; i++) if (lastOrigin(i) === origin) point = later(point, after(LineCtx.lastLine(ctxs[i]!)));
    } else point = earlier(point, hold);
    const stop = chain.stoppedAt;
    if (stop && LineCtx.firstOrigin(stop) === origin) point = earlier(point, before(LineCtx.firstLine(stop)));
    if (point && point !== BLOCKED) passed.push({ origin, point });
  }

  let marks: Array<Mark | undefined> | undefined;
  return {
    at: (i) => (marks ??= lineMarks(ctxs, heldOf))[i],
    sourceOf: (i) => lastOrigin(i)?.source,
    ...(single && { source: firstOrigin?.source }),
    passed,
  };
}

/** The mark of each output line of {@link chainPlacement}. */
function lineMarks(ctxs: readonly LineCtx[], heldOf: (origin: Origin) => ResumePoint | 'unknown' | undefined): Array<Mark | undefined> {
  const n = ctxs.length;
  // The first line of each file still to come, after each output line.
  const toCome = new Map<Origin, ResumePoint>();
  const limit: Array<ResumePoint | undefined> = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const ctx = ctxs[i]!;
    const from = LineCtx.firstOrigin(ctx) as Origin | undefined;
    const to = LineCtx.lastOrigin(ctx) as Origin | undefined;
    limit[i] = to && toCome.get(to);
    if (from) toCome.set(from, earlier(toCome.get(from), before(LineCtx.firstLine(ctx)))!);
    // An event that began in another file: where it began in this one is not known.
    if (to && to !== from) toCome.set(to, BLOCKED);
  }
  const reached = new Map<Origin, ResumePoint>();
  const marks: Array<Mark | undefined> = new Array(n);
  for (let i = 0; i < n; i++) {
    const ctx = ctxs[i]!;
    const origin = LineCtx.lastOrigin(ctx) as Origin | undefined;
    if (!origin) continue;
    const far = later(reached.get(origin), after(LineCtx.lastLine(ctx)));
    reached.set(origin, far);
    const hold = heldOf(origin);
    const point = earlier(earlier(far, limit[i]), hold === 'unknown' ? undefined : hold)!;
    marks[i] = point === BLOCKED ? undefined : { origin, point };
  }
  return marks;
}
