import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { multiline, tail, type ProcessorError, type TailOptions } from '../../src/index.js';
import { tempDir } from '../helpers/fs.js';

const LONG = 2_200_000_000; // ms: more than a Node timer holds (2^31 - 1)

let overflows: string[] = [];
const onWarning = (warning: Error) => {
  if (warning.name === 'TimeoutOverflowWarning') overflows.push(warning.message);
};
beforeEach(() => {
  overflows = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

describe('delays longer than a Node timer holds', () => {
  it('an async processor within a very long processorTimeout does not fail after 1 ms', async () => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'a\nb\n');
    const errors: ProcessorError[] = [];
    const slow = async (text: string) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return text.toUpperCase();
    };
    const out: string[] = [];
    const lines = tail(file, { follow: false, start: { fromLine: 1 }, processors: [slow], processorTimeout: LONG, onProcessorError: (e) => errors.push(e) });
    for await (const line of lines) out.push(line.text);
    expect({ out, errors: errors.map((e) => e.message) }).toEqual({ out: ['A', 'B'], errors: [] });
    expect(overflows).toEqual([]);
  });

  it.each<[string, () => TailOptions]>([
    ['pollInterval, polling', () => ({ poll: true, pollInterval: LONG })],
    ['pollInterval, watching', () => ({ pollInterval: LONG })],
    ['multiline idleMs', () => ({ processors: [multiline(/^E/, { idleMs: LONG })] })],
  ])('%s is clamped instead of firing after 1 ms', async (_what, options) => {
    const file = path.join(await tempDir(), 'app.log');
    await writeFile(file, 'E1\n at a\nE2\n');
    const lines = tail(file, { start: { fromLine: 1 }, ...options() });
    const it = lines[Symbol.asyncIterator]();
    await it.next();
    // A timer armed with an overflowing delay warns when it is armed; give the warning its tick.
    await new Promise((resolve) => setImmediate(resolve));
    await lines.close();
    expect(overflows).toEqual([]);
  });
});
