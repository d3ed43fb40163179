/** The `@example` blocks of src/history, and of the `backfill` option, compile (see helpers/examples.ts). */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleErrors, examplesOf } from '../helpers/examples.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HISTORY = path.join(ROOT, 'src/history');
const HERE = path.join(ROOT, 'test/history');

const PRELUDE = `
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

describe('the TSDoc examples of src/history and of the backfill option', () => {
  const examples = [
    ...readdirSync(HISTORY)
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .flatMap((f) => examplesOf(path.join(HISTORY, f))),
    ...examplesOf(path.join(ROOT, 'src/options.ts')).filter((e) => e.code.includes('backfill')),
  ];

  it('are found: every module shows one, and the option too', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
    expect(examples.some((e) => e.where.startsWith('src/options.ts'))).toBe(true);
  });

  it('type-check with the project’s compiler options', () => {
    const errors = exampleErrors(examples, PRELUDE, HERE);
    expect(errors).toEqual([]);
  }, 60_000);
});
