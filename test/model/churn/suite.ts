/**
 * The churn cases as a vitest suite, shared by the library and the command test files.
 *
 * Environment (for `npm run test:model` and replays):
 * - TAIL_ASYNC_CHURN_CASES: random cases per follower kind (default: `defaults.cases`);
 * - TAIL_ASYNC_CHURN_STEPS: writer actions per case (default: `defaults.steps`);
 * - TAIL_ASYNC_CHURN_SEED: first seed (default 1); cases use consecutive seeds (when it is set, the
 *   regression seeds are left out);
 * - TAIL_ASYNC_CHURN_PARALLEL: cases run at once (default 3);
 * - TAIL_ASYNC_CHURN_STARVE=1: a CPU-burning process per core runs meanwhile (0: none; anything else is an error);
 * - TAIL_ASYNC_CHURN_ROOT: another checkout to try (its `dist/` and `bin/`), to compare builds;
 * - TAIL_ASYNC_CHURN_DUMP: a directory where each failing case is written out in full;
 * - TAIL_ASYNC_CHURN_VERBOSE=1: a summary line per run (lines, failures, unseen generations).
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { burnCpu, commandFollower, libraryFollower, runCase, type CaseResult } from './harness.js';
import { describe as explain } from './check.js';

export interface SuiteDefaults {
  readonly cases: number;
  readonly steps: number;
  /** Seeds that once found a bug: always run, with the steps they failed with. */
  readonly regressions: ReadonlyArray<{ readonly seed: number; readonly steps: number; readonly why: string }>;
}

export function churnSuite(kind: 'library' | 'command', defaults: SuiteDefaults): void {
  const env = process.env;
  const cases = int(env.TAIL_ASYNC_CHURN_CASES, defaults.cases);
  const steps = int(env.TAIL_ASYNC_CHURN_STEPS, defaults.steps);
  const first = int(env.TAIL_ASYNC_CHURN_SEED, 1);
  const parallel = int(env.TAIL_ASYNC_CHURN_PARALLEL, 3);
  // Only 1 starves (a burner per core): any other value ran idle unnoticed once (STARVE=2).
  const starveValue = env.TAIL_ASYNC_CHURN_STARVE ?? '0';
  if (starveValue !== '0' && starveValue !== '1') throw new Error(`TAIL_ASYNC_CHURN_STARVE must be 0 or 1 (a CPU-burning process per core), not '${starveValue}'`);
  const starve = starveValue === '1';
  const root = env.TAIL_ASYNC_CHURN_ROOT;
  const start =
    kind === 'library'
      ? libraryFollower(root ? path.join(root, 'dist/index.js') : undefined)
      : commandFollower(root ? path.join(root, 'bin/tail-async.js') : undefined);
  const what = `${kind === 'library' ? 'tail()' : 'tail-async -n 0'}${starve ? ', starved by a CPU-burning neighbour' : ''}`;

  describe(`churn without waiting: ${what}`, () => {
    // The seeds that once found a bug run first, in the same pool as the random cases.
    const regressions = env.TAIL_ASYNC_CHURN_SEED ? [] : defaults.regressions;
    const title = `${regressions.length} seeds that found bugs (${regressions.map((r) => r.seed).join(', ')}), then ${cases} random cases of ${steps} steps`;
    it(`${title}: every line once, unmodified, in order`, async () => {
      const stopBurning = starve ? burnCpu() : () => {};
      const failures: string[] = [];
      let unseen = 0;
      let beyondGrace = 0;
      let written = 0;
      const queue = [
        ...regressions.map((r) => ({ seed: r.seed, steps: r.steps, why: ` (${r.why})` })),
        ...Array.from({ length: cases }, (_, i) => ({ seed: first + i, steps, why: '' })),
      ];
      try {
        const worker = async () => {
          for (let job = queue.shift(); job; job = queue.shift()) {
            const result = await runCase(start, { seed: job.seed, steps: job.steps });
            written += result.verdict.written;
            unseen += result.verdict.unseen.length;
            beyondGrace += result.verdict.beyondGrace.length;
            if (!result.verdict.ok) {
              failures.push(`seed ${job.seed}, ${job.steps} steps${job.why}: ${report(result)}`);
              if (env.TAIL_ASYNC_CHURN_DUMP) dump(env.TAIL_ASYNC_CHURN_DUMP, kind, job.seed, result);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));
      } finally {
        stopBurning();
      }
      if (env.TAIL_ASYNC_CHURN_VERBOSE) {
        process.stdout.write(`churn ${what}: ${regressions.length + cases} cases, ${written} lines, ${failures.length} failing, ${unseen} unseen generations, ${beyondGrace} late lines beyond the grace period\n`);
      }
      expect(failures, failures.join('\n\n')).toEqual([]);
    }, 60_000 + (cases * steps + regressions.length * 120) * 200);
  });
}

/** Writes everything about a failing case to DIR/KIND-SEED.txt, for a closer look. */
function dump(dir: string, kind: string, seed: number, result: CaseResult): void {
  const v = result.verdict;
  const text = [
    `DIR ${result.dir}`,
    ...result.manifest.trace,
    ...result.manifest.gens.map((g) => JSON.stringify(g)),
    'LOST', ...v.lost, 'DUPLICATED', ...v.duplicated, 'UNKNOWN', ...v.unknown, 'ORDER', ...v.outOfOrder,
    'NOTICES', ...result.notices,
    'OUTPUT', ...result.output,
  ];
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${kind}-${seed}.txt`), text.join('\n') + '\n');
}

function report(result: CaseResult): string {
  return `${explain(result.verdict, result.manifest)}\nnotices:\n  ${result.notices.slice(0, 20).join('\n  ')}`;
}

function int(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
