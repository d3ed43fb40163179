import { describe, expect, it } from 'vitest';
import type { Line } from '../../src/index.js';
import type { Origin } from '../../src/sources/resume.js';
import { LineNames } from '../../src/sinks/identity.js';

const line = (offset: number, text = `line at ${offset}`): Line => ({ text, source: '/var/log/app.log', offset, end: offset + text.length + 1, lineNumber: 1 + offset / 10, eol: '\n' });

/** A file as its source knows it; its descriptor is closed for good (no look at the file is possible). */
const closedFile = (born: number): Origin => ({
  source: '/var/log/app.log',
  dev: 2049,
  ino: 131,
  born,
  use: () => Promise.reject(Object.assign(new Error('file is closed'), { code: 'EBADF' })),
});

describe('LineNames', () => {
  it("names a file's lines by the identity and birth time its source knows, even once the file is closed", async () => {
    const origin = closedFile(1732800000123.25);
    const records = await new LineNames('web-1').of([line(0), line(10)], () => origin);
    expect(records.map((r) => [r.key, r.file, r.host])).toEqual([
      ['web-1:2049:131:1732800000123.25:0:0:0', { dev: 2049, ino: 131, born: 1732800000123.25 }, 'web-1'],
      ['web-1:2049:131:1732800000123.25:0:10:0', { dev: 2049, ino: 131, born: 1732800000123.25 }, 'web-1'],
    ]);
  });

  it('counts a new epoch when a file goes back to an earlier offset, and parts for lines at one offset', async () => {
    const origin = closedFile(5);
    const names = new LineNames('h');
    const first = await names.of([line(0), line(10), line(10, 'expanded')], () => origin);
    const again = await names.of([line(0)], () => origin);
    expect([...first, ...again].map((r) => [r.epoch, r.part, r.key])).toEqual([
      [0, 0, 'h:2049:131:5:0:0:0'],
      [0, 0, 'h:2049:131:5:0:10:0'],
      [0, 1, 'h:2049:131:5:0:10:1'],
      [1, 0, 'h:2049:131:5:1:0:0'],
    ]);
  });

  it('gives lines of a stream no file and no key', async () => {
    const [record] = await new LineNames('h').of([{ ...line(0), source: '-' }], () => undefined);
    expect(record).toMatchObject({ host: 'h', file: undefined, key: undefined, epoch: 0, part: 0 });
  });
});
