/**
 * What the helpers undo after every test: each registers its cleanup once, when it is first imported, and
 * `test/helpers/setup.ts` (a setup file, run for every test file) runs them all after each test. A hook
 * registered by a helper module itself would belong to the first test file that imported it only, since a
 * worker keeps its modules from one file to the next (vitest `isolate: false`).
 */

/** When a cleanup runs: what uses a server before the servers stop, and their directories go last. */
export type Stage = 'clients' | 'processes' | 'servers' | 'directories';
const ORDER: readonly Stage[] = ['clients', 'processes', 'servers', 'directories'];

const cleanups: Array<{ stage: Stage; run: () => unknown }> = [];

/** Runs `cleanup` after every test of every file, at `stage`. */
export function afterEveryTest(stage: Stage, cleanup: () => unknown): void {
  cleanups.push({ stage, run: cleanup });
}

/** Every registered cleanup, stage by stage (those of one stage at once). */
export async function cleanUp(): Promise<void> {
  for (const stage of ORDER) await Promise.all(cleanups.filter((c) => c.stage === stage).map((c) => c.run()));
}
