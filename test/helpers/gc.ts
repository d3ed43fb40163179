import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's full collection, for tests of what stays reachable: `await collect()` lets the current job end
 * first (a WeakRef's target is kept until then), then collects.
 */
export function collector(): () => Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return async () => {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  };
}
