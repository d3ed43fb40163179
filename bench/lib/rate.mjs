// Lines/s of one run of a child that prints {"lines","ms","maxRssMB"} (bench/children/*.mjs), recorded on
// its row: what the library and plugin workloads measure in each round.
import { NODE } from './common.mjs';
import { runJsonChild } from './proc.mjs';

/** Runs `node ARGS`, adds its rate and peak RSS to row `tool` of `workload`; returns its time (ms), or undefined when it failed. */
export async function childRate(results, workload, tool, args, timeoutMs) {
  const row = results.get(workload, tool);
  try {
    const { lines, ms, maxRssMB } = await runJsonChild(NODE, args, timeoutMs);
    row.values.push(lines / (ms / 1000));
    row.rssMB.push(maxRssMB);
    return ms;
  } catch (error) {
    results.fail(row, error);
    return undefined;
  }
}
