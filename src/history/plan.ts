import type { Stats } from 'node:fs';
import path from 'node:path';
import type { ResumePoint } from '../sources/resume.js';
import { notices, type Notice } from '../notices.js';
import { rotatedSiblings, type Sibling } from './siblings.js';
import type { HistoryPart } from './reader.js';

const FROM_START: ResumePoint = { offset: 0, line: 1 };

/**
 * The history of `name` to read before its live file (`--backfill`): every rotated sibling, oldest first,
 * from its first byte. Siblings `held` says are read already (the live file itself under another name, a
 * file a follower holds) are left out; one compressed in a way no codec here reads is reported and left out.
 * @internal
 * @example
 * ```ts
 * const parts = backfillPlan('logs/app.log', (st) => follower.holds(st), onNotice); // app.log.3.gz, app.log.2.gz, app.log.1
 * ```
 */
export function backfillPlan(name: string, held: (st: Stats) => boolean, report: (notice: Notice) => void): HistoryPart[] {
  return readable(rotatedSiblings(name).filter((s) => !held(s.st)), report).map((s) => ({ path: s.path, storage: s.storage, from: FROM_START }));
}

/**
 * The history to read when a checkpoint's file was found at `found` (rotated and compressed while
 * stopped): it from `point` on, then every sibling newer than it (rotated while stopped too, never read),
 * oldest first, those `held` says are read already left out.
 * @internal
 */
export function resumePlan(name: string, found: Pick<HistoryPart, 'path' | 'storage'>, point: ResumePoint, held: (st: Stats) => boolean, report: (notice: Notice) => void): HistoryPart[] {
  const siblings = rotatedSiblings(name);
  const at = siblings.findIndex((s) => path.resolve(s.path) === path.resolve(found.path));
  const newer = at === -1 ? [] : readable(siblings.slice(at + 1).filter((s) => !held(s.st)), report);
  return [{ ...found, from: point }, ...newer.map((s) => ({ path: s.path, storage: s.storage, from: FROM_START }))];
}

/** The siblings a codec here reads; the others are reported, once each. */
function readable(siblings: Sibling[], report: (notice: Notice) => void): Array<Sibling & Pick<HistoryPart, 'storage'>> {
  const out: Array<Sibling & Pick<HistoryPart, 'storage'>> = [];
  for (const s of siblings) {
    if (s.storage !== undefined) out.push(s as Sibling & Pick<HistoryPart, 'storage'>);
    else report(notices.readError(s.path, Object.assign(new Error(`compressed in a format tail-async cannot read (${path.extname(s.path)}); skipped`), { code: 'ENOTSUP' })));
  }
  return out;
}
