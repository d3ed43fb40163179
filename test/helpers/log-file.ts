/** Numbered log files for the sink tests, and shipping one of them from its first line. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tail, type PipeResult, type Sink } from '../../src/index.js';
import { tempDir } from './fs.js';

/** Lines `line N xxx…` from `from`, of varied lengths. */
export const numbered = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `line ${from + i} ${'x'.repeat((from + i) % 37)}`);

/** A fresh `app.log` of `count` {@link numbered} lines, and where its state file would go. */
export async function logFile(count: number): Promise<{ dir: string; file: string; texts: string[]; state: string }> {
  const dir = await tempDir();
  const file = path.join(dir, 'app.log');
  const texts = numbered(1, count);
  await writeFile(file, texts.join('\n') + '\n');
  return { dir, file, texts, state: path.join(dir, 'state.json') };
}

/** Ships `file` from its first line, without follow, as host `h1`. */
export function shipFile(file: string, sink: Sink, checkpoint?: string): Promise<PipeResult> {
  return tail(file, { follow: false, start: { fromLine: 1 }, ...(checkpoint && { checkpoint }) }).pipeTo(sink, { host: 'h1' });
}
