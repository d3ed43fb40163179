/**
 * The `@example` blocks of src/sinks compile: each is cut out of its TSDoc comment and type-checked with the
 * project's compiler options, as a module of its own (its `import … from 'tail-async'` lines pointed at
 * src/index.ts, the rest of its lines the body of an async function). The names an example takes as given
 * (a sink, a batch…) are declared below with the types they stand for.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { exampleErrors, examplesOf } from '../helpers/examples.js';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SINKS = path.join(ROOT, 'src/sinks');
/** Where the examples are made to live (they are never written): imports are relative to it. */
const HERE = path.join(ROOT, 'test/sinks');

/** What every example may use: the public API, the internals of src/sinks, and the names it takes as given. */
const PRELUDE = `
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

describe('the TSDoc examples of src/sinks', () => {
  const examples = readdirSync(SINKS)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .flatMap((f) => examplesOf(path.join(SINKS, f)));

  it('are found: every module that exports a function or class shows one', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  it('type-check with the project’s compiler options', () => {
    const errors = exampleErrors(examples, PRELUDE, HERE);
    expect(errors).toEqual([]);
  }, 60_000);
});
