// Workload 1: catch-up throughput. Every tool prints the whole big file from its first line into a pipe
// read by `wc -c` (which also checks that every byte came out), timed from spawn to the end of the
// pipeline; peak RSS and CPU of the tool from /usr/bin/time. Also with a grep keeping 1 % of the lines.
import { join } from 'node:path';
import { NODE, PEERS, CHILDREN, shq } from '../lib/common.mjs';
import { forBuilds } from '../lib/builds.mjs';
import { runShell, timed, readTimed } from '../lib/proc.mjs';
import { interleave } from '../lib/results.mjs';
import { GREP_PATTERN } from '../lib/gen.mjs';

export async function catchup({ cfg, big, tmp, results, log, sizeLabel, builds }) {
  const F = shq(big.path);
  const statsFile = join(tmp, 'time-stats.txt');
  const W1 = `1 catch-up ${sizeLabel} → pipe`;
  const W1g = `1 catch-up ${sizeLabel} + grep 1 %`;
  const REF = 'GNU tail -n +1';
  const REFG = 'GNU tail -n +1 | grep';
  const tools = [
    ...forBuilds(builds, (b) => ({ id: b.name('tail-async'), workload: W1, cmd: `${shq(NODE)} ${shq(b.bin)} -n +1 --no-follow ${F}`, expect: big.bytes })),
    { id: REF, workload: W1, cmd: `tail -n +1 ${F}`, expect: big.bytes },
    { id: 'cat', workload: W1, cmd: `cat ${F}`, expect: big.bytes, note: 'I/O floor' },
    { id: 'node 1 MiB copy', workload: W1, cmd: `${shq(NODE)} ${shq(join(CHILDREN, 'node-copy.mjs'))} ${F}`, expect: big.bytes, note: 'floor for Node: read/write 1 MiB blocks, no framing' },
  ];
  if (cfg.peers) {
    const until = `--from-start --expect-lines ${big.lines}`;
    tools.push(
      { id: 'tail (npm)', workload: W1, cmd: `${shq(NODE)} ${shq(join(PEERS, 'npm-tail.cjs'))} ${until} ${F}`, expect: big.bytes, note: 'fromBeginning; follows, exits at the last line' },
      { id: '@logdna/tail-file+split2', workload: W1, cmd: `${shq(NODE)} ${shq(join(PEERS, 'logdna.cjs'))} --split split2 ${until} ${F}`, expect: big.bytes, note: 'startPos 0; follows, exits at the last line' },
      { id: '@logdna/tail-file+readline', workload: W1, cmd: `${shq(NODE)} ${shq(join(PEERS, 'logdna.cjs'))} --split readline ${until} ${F}`, expect: big.bytes, note: 'startPos 0; follows, exits at the last line' },
    );
  }
  tools.push(
    ...forBuilds(builds, (b) => ({ id: b.name('tail-async --grep'), workload: W1g, cmd: `${shq(NODE)} ${shq(b.bin)} -n +1 --no-follow --grep ${GREP_PATTERN} ${F}`, expect: big.grepBytes })),
    { id: REFG, workload: W1g, cmd: `tail -n +1 ${F}`, pipe: `grep ${GREP_PATTERN}`, expect: big.grepBytes, note: 'RSS of tail' },
  );
  for (const t of tools) {
    const row = results.row(t.workload, t.id, { metric: 'time', unit: 's', ref: t.workload === W1 ? REF : REFG, note: t.note, ...t.tags });
    row.inputMB = big.bytes / 1048576;
  }

  const timeoutMs = 60_000 + cfg.sizeMB * 400;
  await interleave(
    tools,
    cfg,
    async (tool) => {
      const row = results.get(tool.workload, tool.id);
      const script = [timed(tool.cmd, statsFile), tool.pipe, 'wc -c'].filter(Boolean).join(' | ');
      let res;
      try {
        res = await runShell(script, { timeoutMs });
        const got = Number(res.stdout.trim());
        if (res.code !== 0) throw new Error(`exit ${res.code ?? res.signal}: ${res.stderr.trim().slice(0, 300)}`);
        if (got !== tool.expect) throw new Error(`printed ${got} bytes, expected ${tool.expect}`);
      } catch (error) {
        results.fail(row, error);
        return res?.ms;
      }
      row.values.push(res.ms / 1000);
      const st = readTimed(statsFile);
      if (st) {
        row.rssMB.push(st.rssMB);
        row.cpuS.push(st.cpuS);
      }
      return res.ms;
    },
    log,
  );
}
