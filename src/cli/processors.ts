import type { Processor } from '../chain/types.js';
import { grep } from '../chain/processors/grep.js';
import { exclude } from '../chain/processors/exclude.js';
import { multiline } from '../chain/processors/multiline.js';
import { recordStep } from './record-step.js';
import { rateLimit } from '../chain/processors/rate-limit.js';
import { sample } from '../chain/processors/sample.js';
import { timestamp } from '../chain/processors/timestamp.js';
import { highlight } from '../chain/processors/highlight.js';
import type { CliOptions } from './args.js';
import { secondsToMs } from './numbers.js';

/**
 * The processors the command line asks for, in its order; plugins are loaded here, before any file is
 * opened, so that a broken plugin stops the command at once. Match highlighting comes last, so that it
 * colours what is printed.
 * @internal
 */
export async function buildProcessors(options: CliOptions, context: { cwd: string; colour: boolean; onDropped?: (source: string, count: number) => void }): Promise<Processor[]> {
  const ignoreCase = options.ignoreCase;
  const out: Processor[] = [];
  for (const step of options.steps) {
    switch (step.kind) {
      case 'grep':
        out.push(grep(step.patterns, { ignoreCase }));
        break;
      case 'exclude':
        out.push(exclude(step.patterns, { ignoreCase }));
        break;
      case 'multiline':
        out.push(multiline(step.start, options.multilineTimeout === undefined ? {} : { idleMs: secondsToMs(options.multilineTimeout, 1) }));
        break;
      case 'json':
        out.push(recordStep(step));
        break;
      case 'rate-limit':
        out.push(rateLimit(step, context.onDropped ? { onDropped: context.onDropped } : {}));
        break;
      case 'sample':
        out.push(sample(step.every));
        break;
      case 'timestamp':
        // JSON lines carry the time as a field of their own (the output writer's `time`), the text unchanged.
        if (options.output !== 'jsonl') out.push(timestamp());
        break;
      case 'plugin': {
        // Loaded only when asked for: the plugin machinery (worker threads, ESM resolution) costs ~25 ms of start-up.
        const { loadPlugin } = await import('../plugins/load.js');
        out.push(await loadPlugin(step.spec, { cwd: context.cwd, isolation: options.pluginIsolation }));
        break;
      }
    }
  }
  const patterns = options.steps.flatMap((step) => (step.kind === 'grep' ? step.patterns : []));
  if (context.colour && patterns.length > 0) out.push(highlight(patterns, { ignoreCase }));
  return out;
}
