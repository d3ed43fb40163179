import { notices, type Notice } from '../notices.js';
import type { Look } from './name-watch.js';

/**
 * The phases of a followed name, and every transition between them in one place (GNU tail's `recheck()`
 * does the same: one function decides what a changed name means and says it in one message).
 *
 * | phase      | meaning                                                                    |
 * |------------|----------------------------------------------------------------------------|
 * | starting   | the first look and open are under way                                      |
 * | following  | a file is at the name and held                                             |
 * | waiting    | no readable file at the name (`why`: missing, inaccessible, untailable)    |
 * | finishing  | stopped (or no follow): what the held files have now is read, then the end |
 * | finished   | nothing more will come                                                     |
 * | closed     | everything released                                                        |
 *
 * Files that left the name and are still drained are not a phase: they are the follower's list of
 * generations, read in both `following` and `waiting`.
 * @internal
 */
export type Phase =
  | { readonly name: 'starting' }
  | { readonly name: 'following' }
  | { readonly name: 'waiting'; readonly why: 'missing' | 'inaccessible' | 'untailable' }
  | { readonly name: 'finishing' }
  | { readonly name: 'finished' }
  | { readonly name: 'closed' };

/** What happens to a follower. @internal */
export type FollowerEvent =
  /**
   * A look at the name; `fresh`: the file found there is not the one held; `deleted`: the file held has
   * no link left (it was removed, not renamed away).
   */
  | { readonly type: 'look'; readonly look: Look; readonly fresh: boolean; readonly deleted?: boolean }
  /** Stop following (`stop()`, `--pid`, or no follow at all): read what is there, then end. */
  | { readonly type: 'stop' }
  /** Finishing: every held file was read to its end and released. */
  | { readonly type: 'drained' }
  /** Nothing is held and nothing will come: a glob's file gone, or (by descriptor) the file lost. */
  | { readonly type: 'over' }
  /** Reading the file at the name failed (EIO, ESTALE…; reported as such): it is let go. */
  | { readonly type: 'unreadable' }
  | { readonly type: 'close' };

/** What to do on a transition, besides entering `phase`. @internal */
export interface Step {
  readonly phase: Phase;
  /** The file held at the name left it: drain it from now on. */
  readonly retire?: boolean;
  /** Open and hold the file found at the name. */
  readonly pin?: boolean;
  /** What to report, in GNU tail's words. */
  readonly notices?: readonly Notice[];
}

const STARTING: Phase = { name: 'starting' };
const FOLLOWING: Phase = { name: 'following' };
const FINISHING: Phase = { name: 'finishing' };
const FINISHED: Phase = { name: 'finished' };
const CLOSED: Phase = { name: 'closed' };

/** The first phase of every follower. @internal */
export const initialPhase = (): Phase => STARTING;

function waiting(why: 'missing' | 'inaccessible' | 'untailable'): Phase {
  return { name: 'waiting', why };
}

/**
 * The next phase of a follower of `name` in `phase` on `event`, with what to do and say. Events that mean
 * nothing in a phase (a look once stopped, a stop once finished) leave it as it is.
 * @internal
 */
export function transition(phase: Phase, event: FollowerEvent, name: string): Step {
  if (event.type === 'close') return { phase: CLOSED };
  switch (phase.name) {
    case 'closed':
    case 'finished':
      return { phase };
    case 'finishing':
      return event.type === 'drained' ? { phase: FINISHED } : { phase };
    case 'starting':
      if (event.type === 'look') return start(event.look, name);
      return event.type === 'stop' ? { phase: FINISHING } : event.type === 'over' ? { phase: FINISHED } : { phase };
    case 'following':
    case 'waiting':
      if (event.type === 'stop') return { phase: FINISHING };
      if (event.type === 'over') return { phase: FINISHED };
      if (event.type === 'drained') return { phase };
      if (event.type === 'unreadable') return { phase: waiting('inaccessible') };
      return phase.name === 'following' ? whileFollowing(event.look, event.fresh, event.deleted === true, name) : whileWaiting(phase.why, event.look, name);
  }
}

/** The first look, when the name is followed by name: a file to hold, or a reason to wait for one. */
function start(look: Look, name: string): Step {
  switch (look.kind) {
    case 'file':
      return { phase: FOLLOWING, pin: true };
    case 'missing':
      return { phase: waiting('missing'), notices: [notices.cannotOpen(name, enoent())] };
    case 'inaccessible':
      return { phase: waiting('inaccessible'), notices: [notices.cannotOpen(name, look.error)] };
    case 'untailable':
      return {
        phase: waiting('untailable'),
        notices: look.st.isDirectory() ? [notices.cannotOpen(name, eisdir()), notices.cannotFollow(name)] : [notices.cannotFollow(name)],
      };
  }
}

function whileFollowing(look: Look, fresh: boolean, deleted: boolean, name: string): Step {
  switch (look.kind) {
    case 'file':
      return fresh ? { phase: FOLLOWING, retire: true, pin: true, notices: [notices.replaced(name)] } : { phase: FOLLOWING };
    case 'missing':
      return { phase: waiting('missing'), retire: true, notices: [deleted ? notices.deleted(name) : notices.inaccessible(name, enoent())] };
    case 'inaccessible':
      return { phase: waiting('inaccessible'), retire: true, notices: [notices.inaccessible(name, look.error)] };
    case 'untailable':
      return { phase: waiting('untailable'), retire: true, notices: [notices.untailable(name)] };
  }
}

function whileWaiting(why: 'missing' | 'inaccessible' | 'untailable', look: Look, name: string): Step {
  switch (look.kind) {
    case 'file':
      // GNU: a name that was missing "has appeared"; one that could not be read, "has become accessible".
      return { phase: FOLLOWING, pin: true, notices: [why === 'missing' ? notices.appeared(name) : notices.accessible(name)] };
    case 'missing':
      // Not a file (a directory) and then nothing: a file that comes "has become accessible", as GNU says.
      return { phase: waiting(why === 'untailable' ? 'untailable' : 'missing') };
    case 'inaccessible':
      return { phase: waiting('inaccessible') };
    case 'untailable':
      return why === 'untailable' ? { phase: waiting('untailable') } : { phase: waiting('untailable'), notices: [notices.untailable(name)] };
  }
}

/** The step for a file at the name that could not be opened after all (raced away, EACCES, EMFILE…). @internal */
export function openFailed(phase: Phase, error: NodeJS.ErrnoException, name: string): Step {
  const look: Look = error.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'inaccessible', error };
  if (phase.name === 'starting') return start(look, name);
  if (phase.name === 'waiting') return whileWaiting(phase.why, look, name);
  // Following: the file held was retired for the new one, which is gone already (the next look finds
  // what took its place) or cannot be opened.
  return look.kind === 'missing' ? { phase: waiting('missing') } : { phase: waiting('inaccessible'), notices: [notices.inaccessible(name, error)] };
}

function enoent(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
}

function eisdir(): NodeJS.ErrnoException {
  return Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' });
}

