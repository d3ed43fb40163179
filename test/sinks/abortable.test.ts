import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ABORTED, untilAborted } from '../../src/sinks/abortable.js';
import { collector } from '../helpers/gc.js';

describe('untilAborted()', () => {
  it('settles like the promise while the signal is not aborted', async () => {
    const { signal } = new AbortController();
    await expect(untilAborted(Promise.resolve(42), signal)).resolves.toBe(42);
    const error = new Error('read failed');
    await expect(untilAborted(Promise.reject(error), signal)).rejects.toBe(error);
  });

  it('resolves with ABORTED when the signal aborts first, or was aborted already', async () => {
    const controller = new AbortController();
    const waiting = untilAborted(new Promise(() => {}), controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBe(ABORTED);
    await expect(untilAborted(Promise.resolve(1), controller.signal)).resolves.toBe(ABORTED);
  });

  it('leaves no listener on the signal and keeps no value reachable once settled, however often it is called', async () => {
    const gc = collector();
    const { signal } = new AbortController();
    // The calls run in a function of their own that has returned before the collection, so that no
    // register or spill slot of a frame still running can hold one of the values (once, with the calls
    // in this function, one value of 99 was still there).
    const values = await (async () => {
      const refs: Array<WeakRef<object>> = [];
      for (let i = 0; i < 100; i++) {
        const value = { batch: new Array(1_000).fill(i) };
        refs.push(new WeakRef(value));
        await untilAborted(Promise.resolve(value), signal);
      }
      return refs;
    })();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // A collection may still find an object that a job of the runner held a moment before (one value in
    // about ten suite runs); what the values are reachable from stays, however many collections follow.
    const reachable = () => values.filter((ref) => ref.deref() !== undefined);
    for (let i = 0; i < 5 && (i === 0 || reachable().length > 0); i++) await gc();
    expect(reachable()).toHaveLength(0);
  });
});
