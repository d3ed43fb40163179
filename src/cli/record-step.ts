import type { Processor } from '../chain/types.js';
import { json, parseJson } from '../chain/processors/json.js';
import { logfmt, parseLogfmt } from '../chain/processors/logfmt.js';
import { regex, regexParser } from '../chain/processors/regex.js';
import type { RecordOptions } from '../chain/records/processor.js';
import { lineTime } from '../time/window.js';
import type { TimeOf } from '../time/since-start.js';
import type { Step } from './args.js';
import type { RecordParser } from './record-args.js';

type RecordStep = Extract<Step, { kind: 'json' }>;

/** The processor of the command's record step (--json / --parse, --where, --fields, --format). @internal */
export function recordStep(step: RecordStep): Processor {
  const options: RecordOptions = { where: step.where, ...(step.fields && { fields: step.fields }), ...(step.format !== undefined && { format: step.format }) };
  const parser = step.parser;
  if (parser === 'json') return json(options);
  if (parser === 'logfmt') return logfmt(options);
  return regex(parser.regex, options);
}

/**
 * How the command reads a line's time for --since/--until: from the record of the record step, if any
 * (the --time-field, or the usual time fields), else from a JSON line's fields, else from its leading
 * timestamp.
 * @internal
 */
export function commandTimeOf(steps: readonly Step[], timeField: string | undefined, now: number): TimeOf {
  const record = steps.find((s): s is RecordStep => s.kind === 'json');
  const fields = timeField === undefined ? undefined : [timeField];
  return lineTime(fields, now, record ? parserOf(record.parser) : undefined);
}

function parserOf(parser: RecordParser): (text: string) => unknown {
  return parser === 'json' ? parseJson : parser === 'logfmt' ? parseLogfmt : regexParser(parser.regex, '--parse');
}
