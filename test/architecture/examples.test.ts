/**
 * The \`@example\` blocks of TSDoc comments compile: each is cut out of its comment and type-checked with
 * the project's compiler options, as a module of its own (its \`import … from 'tail-async'\` lines pointed
 * at src/index.ts, the rest of its lines the body of an async function), after the prelude of its set,
 * which declares the names an example takes as given with the types they stand for. Every set is checked
 * in one program: building one costs most of the time.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsdocExamplesOf as examplesOf } from '../helpers/doc-examples.js';
import { moduleOf, typeCheck, type Example } from '../helpers/examples.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Where the examples are made to live (they are never written): the preludes' imports are relative to it. */
const HERE = path.join(ROOT, 'test/architecture');

/** src/sinks: the public API, the internals of src/sinks, and the names an example takes as given. */
const SINKS_PRELUDE = `
import { tail, redisSink, natsSink, sinkFromUrl, type Sink, type SinkLine, type Line, type SendResult, type FileIdentity, type RetryOptions, type OutageEvent, type PipeResult } from '../../src/index.js';
import { ABORTED, untilAborted } from '../../src/sinks/abortable.js';
import { describeSinkError } from '../../src/sinks/describe.js';
import { LineNames } from '../../src/sinks/identity.js';
import { Outages } from '../../src/sinks/outage.js';
import { rawBytes } from '../../src/sinks/raw.js';
import { pipe, type ShippingSource } from '../../src/sinks/pipe.js';
import { EntryIds, formatId, IdText } from '../../src/sinks/redis-ids.js';
import { backoff } from '../../src/sinks/retry.js';
import { compileTemplate } from '../../src/sinks/template.js';
import type { Origin } from '../../src/sources/resume.js';
declare const sink: Sink;
declare const batch: Line[];
declare const batches: AsyncIterator<Line[]>;
declare const origins: Origin[];
declare const source: ShippingSource;
declare const stop: AbortController;
declare const error: unknown;
declare const record: SinkLine;
declare const key: string;
void [tail, redisSink, natsSink, sinkFromUrl, ABORTED, untilAborted, describeSinkError, LineNames, Outages, rawBytes, pipe, EntryIds, formatId, IdText, backoff, compileTemplate];
void [sink, batch, batches, origins, source, stop, error, record, key];
`;

/** The record processors, the rate limits and the time window. */
const RECORD_FILES = [
  'src/chain/processors/json.ts',
  'src/chain/processors/logfmt.ts',
  'src/chain/processors/regex.ts',
  'src/chain/processors/format.ts',
  'src/chain/processors/rate-limit.ts',
  'src/chain/processors/sample.ts',
  'src/chain/processors/time-window.ts',
  'src/chain/records/fields.ts',
  'src/chain/records/template.ts',
  'src/chain/records/processor.ts',
  'src/time/line-time.ts',
  'src/time/parse-time.ts',
  'src/time/since-start.ts',
  'src/time/window.ts',
];

const RECORDS_PRELUDE = `
import { tail, json, logfmt, parseLogfmt, regex, format, rateLimit, sample, type LineContext } from '../../src/index.js';
import { parseFields } from '../../src/chain/processors/json.js';
import { isoTime, leadingTime, timeOfValue } from '../../src/time/line-time.js';
import { parseTime } from '../../src/time/parse-time.js';
import { SinceStart } from '../../src/time/since-start.js';
import { lineTime } from '../../src/time/window.js';
import { timeWindow } from '../../src/chain/processors/time-window.js';
import { compileTemplate } from '../../src/chain/records/template.js';
import { lookup } from '../../src/chain/records/fields.js';
import { recordProcessor } from '../../src/chain/records/processor.js';
import type { Resumer } from '../../src/sources/resume.js';
declare const ctx: LineContext;
declare const session: { resumer: Resumer | undefined };
declare const ledger: Resumer | undefined;
void [tail, json, logfmt, parseLogfmt, regex, format, rateLimit, sample, isoTime, leadingTime, timeOfValue, parseTime, SinceStart, lineTime, timeWindow, compileTemplate, lookup, recordProcessor, parseFields];
void [ctx, session, ledger];
`;

/** src/history (the backfill), and the backfill option. */
const HISTORY_PRELUDE = `
import { tail, type Line } from '../../src/index.js';
import { isSiblingOfAny, rotatedSiblings, rotationOf } from '../../src/history/siblings.js';
import { contentOf, contentSpans } from '../../src/history/decompress.js';
import { HistoryReader, type HistoryPart } from '../../src/history/reader.js';
import { backfillPlan, resumePlan } from '../../src/history/plan.js';
import type { FramingOptions } from '../../src/sources/generation.js';
import type { Notice } from '../../src/notices.js';
import type { Stats } from 'node:fs';
declare let size: number;
declare const parts: HistoryPart[];
declare const framing: FramingOptions;
declare const onNotice: (notice: Notice) => void;
declare const lines: Line[];
declare const follower: { holds(st: Stats): boolean };
void [tail, isSiblingOfAny, rotatedSiblings, rotationOf, contentOf, contentSpans, HistoryReader, backfillPlan, resumePlan];
void [size, parts, framing, onNotice, lines, follower];
`;

const sinks = readdirSync(path.join(ROOT, 'src/sinks'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .flatMap((f) => examplesOf(path.join(ROOT, 'src/sinks', f)));
const records = RECORD_FILES.flatMap((f) => examplesOf(path.join(ROOT, f)));
const history = [
  ...readdirSync(path.join(ROOT, 'src/history'))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .flatMap((f) => examplesOf(path.join(ROOT, 'src/history', f))),
  ...examplesOf(path.join(ROOT, 'src/options.ts')).filter((e) => e.code.includes('backfill')),
];

describe('the TSDoc examples', () => {
  it('are found: every module of src/sinks that exports a function or class shows one, and so does every record, rate and time module, and every module of src/history (and the backfill option)', () => {
    expect(sinks.length).toBeGreaterThanOrEqual(15);
    expect(new Set(records.map((e) => e.where.split(':')[0])).size).toBe(RECORD_FILES.length);
    expect(new Set(history.map((e) => e.where.split(':')[0])).size).toBe(readdirSync(path.join(ROOT, 'src/history')).length + 1);
  });

  it('type-check with the project’s compiler options', () => {
    const all: Array<[Example, string]> = [...sinks.map((e): [Example, string] => [e, SINKS_PRELUDE]), ...records.map((e): [Example, string] => [e, RECORDS_PRELUDE]), ...history.map((e): [Example, string] => [e, HISTORY_PRELUDE])];
    const modules = new Map(all.map(([e, prelude], i) => [path.join(HERE, `example-${i}.ts`), moduleOf(e, prelude)]));
    const names = new Map([...modules.keys()].map((name, i) => [path.basename(name), all[i]![0].where]));
    const errors = typeCheck(modules).map((line) => line.replace(/^(example-\d+\.ts):\d+/, (m, name: string) => `${names.get(name)} (${m})`));
    expect(errors).toEqual([]);
  }, 90_000);
});
