import type { Stats } from 'node:fs';
import type { StartPosition } from '../options.js';
import type { Resumer, ResumePoint } from './resume.js';
import { startPoint, type StartPoint } from './start-position.js';
import type { PositionalRead } from './read-at.js';

/**
 * Where the file opened at the start of a follower is read from: its checkpoint when the resumer knows
 * it (from the first byte when the name's record no longer matches: truncated or replaced while
 * stopped), else the start position (`-n`/`-c`).
 * @internal
 */
export async function startOf(
  resumer: Resumer | undefined,
  name: string,
  start: StartPosition,
  delimiter: number,
  file: { read: PositionalRead; fd: number; st: Stats },
): Promise<StartPoint> {
  const resumed = await resumer?.resumeAt(name, file.fd, file.st);
  if (resumed === 'start') return { offset: 0, skipLines: 0, firstLineNumber: 1 };
  if (resumed) return atPoint(resumed);
  return startPoint(file.read, file.st.size, start, delimiter);
}

/** A checkpoint's resume point as a start point. @internal */
export function atPoint(point: ResumePoint): StartPoint {
  return { offset: point.offset, skipLines: 0, firstLineNumber: point.line };
}
