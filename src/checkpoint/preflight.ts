import { existsSync, realpathSync, statSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { TailError } from '../errors.js';
import { compileGlob, isGlob, type Glob } from '../sources/glob.js';
import { lockStateFile, type StateLock } from './lock.js';
import { companionsOf, resolvePath } from './paths.js';
import { removeLeftoverTemps } from './temp-file.js';
import { quoteAlways } from '../quote.js';

/**
 * Temp-name endings tried against patterns: the real ones are random, so a pattern is refused if it
 * could match any of these (every hex digit, in every place).
 */
const SAMPLE_TEMPS = [...'0123456789abcdef'].map((digit) => digit.repeat(16));

/**
 * Refuses a state file that is, or would be matched as, one of `inputs` (paths or patterns as given
 * to `tail()`): the same path however it is spelled, the same file through a link, or a pattern that
 * matches the state file, its `.prev`, its lock or its temp files. Reading its own saves as lines, or
 * writing JSON over a log, is never what was meant. Throws `ERR_CHECKPOINT_INPUT`.
 *
 * @example
 * ```ts
 * refuseOwnInputs('logs/tail.state', ['logs/*'], true); // throws: 'logs/*' would match it
 * ```
 * @internal
 */
export function refuseOwnInputs(checkpoint: string, inputs: readonly string[], glob: boolean, cwd = process.cwd()): void {
  const file = resolvePath(checkpoint, cwd);
  const { prev, lock, tempPrefix } = companionsOf(file);
  const own = [file, prev, lock, ...SAMPLE_TEMPS.map((sample) => tempPrefix + sample)];
  const identities = [file, prev].flatMap((p) => statSync(p, { throwIfNoEntry: false }) ?? []);
  for (const input of inputs) {
    if (input === '-') continue;
    if (glob && isGlob(input) && !existsSync(path.resolve(cwd, input))) {
      const pattern = compileGlob(input);
      if (own.some((candidate) => wouldMatch(pattern, candidate, cwd))) throw refusal(`state file ${quoteAlways(checkpoint)} would be read as input ${quoteAlways(input)}`);
      continue;
    }
    const st = statSync(path.resolve(cwd, input), { throwIfNoEntry: false });
    const same = st !== undefined && identities.some((id) => id.dev === st.dev && id.ino === st.ino);
    if (same || own.includes(resolvePath(input, cwd))) throw refusal(`state file ${quoteAlways(checkpoint)} is also an input: ${quoteAlways(input)}`);
  }
}

/**
 * The start check of a state file, before anything is read: it is not a directory, its lock can be
 * taken (which writes a file next to it: a missing or read-only directory, or a full disk, fail here),
 * and temp files left by a process killed mid-save are removed. Throws `ERR_CHECKPOINT_UNWRITABLE` or
 * `ERR_CHECKPOINT_LOCKED`; the lock is held until released.
 *
 * @example
 * ```ts
 * const lock = await openStateFile('tail.state');
 * ```
 * @internal
 */
export async function openStateFile(checkpoint: string): Promise<StateLock> {
  const file = resolvePath(checkpoint);
  if ((await lstat(file).catch(() => undefined))?.isDirectory()) {
    throw new TailError(`cannot write state file ${quoteAlways(checkpoint)}: Is a directory`, { code: 'ERR_CHECKPOINT_UNWRITABLE', source: checkpoint });
  }
  const lock = await lockStateFile(file, checkpoint);
  await removeLeftoverTemps(file);
  return lock;
}

/** True when `pattern`, walking from its base as discovery does, would come upon `file` (absolute) and match it. */
function wouldMatch(pattern: Glob, file: string, cwd: string): boolean {
  const base = path.resolve(cwd, pattern.base);
  let realBase: string;
  try {
    realBase = realpathSync.native(base);
  } catch {
    realBase = base;
  }
  const rel = path.relative(realBase, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return pattern.matches(pattern.base === '.' ? rel : path.join(pattern.base, rel));
}

function refusal(message: string): TailError {
  return new TailError(message, { code: 'ERR_CHECKPOINT_INPUT' });
}
