import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openFailed, transition, type FollowerEvent, type Phase } from '../../src/sources/follower-phase.js';
import type { Look } from '../../src/sources/name-watch.js';

const name = 'app.log';
const file = { isDirectory: () => false } as Stats;
const dir = { isDirectory: () => true } as Stats;
const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES' }) as NodeJS.ErrnoException;

const looks: Record<string, Look> = {
  file: { kind: 'file', st: file },
  missing: { kind: 'missing' },
  inaccessible: { kind: 'inaccessible', error: eacces },
  directory: { kind: 'untailable', st: dir },
};

const phases: Record<string, Phase> = {
  starting: { name: 'starting' },
  following: { name: 'following' },
  'waiting(missing)': { name: 'waiting', why: 'missing' },
  'waiting(inaccessible)': { name: 'waiting', why: 'inaccessible' },
  'waiting(untailable)': { name: 'waiting', why: 'untailable' },
  finishing: { name: 'finishing' },
  finished: { name: 'finished' },
  closed: { name: 'closed' },
};

function look(kind: keyof typeof looks, fresh = false, deleted = false): FollowerEvent {
  return { type: 'look', look: looks[kind]!, fresh, deleted };
}

function show(phase: Phase): string {
  return phase.name === 'waiting' ? `waiting(${phase.why})` : phase.name;
}

/** phase, event, next phase, actions (r: retire, p: pin), the notices' messages. */
const table: Array<[string, FollowerEvent, string, string, string[]]> = [
  ['starting', look('file', true), 'following', 'p', []],
  ['starting', look('missing'), 'waiting(missing)', '', ["cannot open 'app.log' for reading: No such file or directory"]],
  ['starting', look('inaccessible'), 'waiting(inaccessible)', '', ["cannot open 'app.log' for reading: Permission denied"]],
  ['starting', look('directory'), 'waiting(untailable)', '', ["error reading 'app.log': Is a directory", 'app.log: cannot follow end of this type of file']],
  ['starting', { type: 'stop' }, 'finishing', '', []],
  ['following', look('file'), 'following', '', []],
  ['following', look('file', true), 'following', 'rp', ["'app.log' has been replaced;  following new file"]],
  ['following', look('missing'), 'waiting(missing)', 'r', ["'app.log' has become inaccessible: No such file or directory"]],
  ['following', look('missing', false, true), 'waiting(missing)', 'r', ["'app.log' has become inaccessible: No such file or directory"]],
  ['following', look('inaccessible'), 'waiting(inaccessible)', 'r', ["'app.log' has become inaccessible: Permission denied"]],
  ['following', look('directory'), 'waiting(untailable)', 'r', ["'app.log' has been replaced with an untailable file"]],
  ['following', { type: 'stop' }, 'finishing', '', []],
  ['following', { type: 'unreadable' }, 'waiting(inaccessible)', '', []],
  ['following', { type: 'over' }, 'finished', '', []],
  ['waiting(missing)', look('file', true), 'following', 'p', ["'app.log' has appeared;  following new file"]],
  ['waiting(inaccessible)', look('file', true), 'following', 'p', ["'app.log' has become accessible"]],
  ['waiting(untailable)', look('file', true), 'following', 'p', ["'app.log' has become accessible"]],
  ['waiting(missing)', look('missing'), 'waiting(missing)', '', []],
  ['waiting(missing)', look('inaccessible'), 'waiting(inaccessible)', '', []],
  ['waiting(missing)', look('directory'), 'waiting(untailable)', '', ["'app.log' has been replaced with an untailable file"]],
  ['waiting(untailable)', look('directory'), 'waiting(untailable)', '', []],
  // GNU: a directory, then nothing, then a file: "has become accessible" (the wait began with the directory).
  ['waiting(untailable)', look('missing'), 'waiting(untailable)', '', []],
  ['waiting(inaccessible)', look('missing'), 'waiting(missing)', '', []],
  ['waiting(missing)', { type: 'stop' }, 'finishing', '', []],
  ['waiting(missing)', { type: 'over' }, 'finished', '', []],
  ['finishing', look('file', true), 'finishing', '', []],
  ['finishing', { type: 'drained' }, 'finished', '', []],
  ['finished', look('file', true), 'finished', '', []],
  ['finished', { type: 'stop' }, 'finished', '', []],
  ['following', { type: 'close' }, 'closed', '', []],
  ['waiting(missing)', { type: 'close' }, 'closed', '', []],
  ['finishing', { type: 'close' }, 'closed', '', []],
  ['closed', look('file', true), 'closed', '', []],
];

describe('the phases of a followed name', () => {
  it.each(table)('%s, on %j: %s (%s)', (from, event, to, actions, messages) => {
    const step = transition(phases[from]!, event, name);
    expect(show(step.phase)).toBe(to);
    expect(`${step.retire ? 'r' : ''}${step.pin ? 'p' : ''}`).toBe(actions);
    expect((step.notices ?? []).map((n) => n.message)).toEqual(messages);
  });

  it('tells a deleted file from one renamed away by the notice type, with GNU words for both', () => {
    expect(transition(phases.following!, look('missing', false, true), name).notices?.[0]?.type).toBe('deleted');
    expect(transition(phases.following!, look('missing', false, false), name).notices?.[0]?.type).toBe('inaccessible');
  });

  it.each([
    ['starting', 'ENOENT', 'waiting(missing)', ["cannot open 'app.log' for reading: No such file or directory"]],
    ['starting', 'EACCES', 'waiting(inaccessible)', ["cannot open 'app.log' for reading: Permission denied"]],
    ['following', 'ENOENT', 'waiting(missing)', []],
    ['following', 'EMFILE', 'waiting(inaccessible)', ["'app.log' has become inaccessible: Too many open files"]],
    ['waiting(missing)', 'EACCES', 'waiting(inaccessible)', []],
  ])('a file seen at the name that cannot be opened, %s, %s: %s', (from, code, to, messages) => {
    const step = openFailed(phases[from]!, Object.assign(new Error(code), { code }), name);
    expect(show(step.phase)).toBe(to);
    expect((step.notices ?? []).map((n) => n.message)).toEqual(messages);
  });

  it('covers every phase and every kind of look at the name at least once', () => {
    const seen = new Set(table.map(([from]) => from));
    expect([...seen].sort()).toEqual(Object.keys(phases).sort());
    const lookKinds = new Set(table.flatMap(([, event]) => (event.type === 'look' ? [event.look.kind] : [])));
    expect([...lookKinds].sort()).toEqual(['file', 'inaccessible', 'missing', 'untailable']);
  });
});
