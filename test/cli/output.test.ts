import { describe, expect, it } from 'vitest';
import { OutputWriter, type OutputOptions } from '../../src/cli/output.js';
import type { Line, LineBlock, LineEnding } from '../../src/lines/line.js';

const raw: OutputOptions = { headers: false, prefix: false, format: 'raw', encoding: 'latin1' };

/** `count` lines of `source`, the i-th made by `text(i)`. */
function lines(count: number, text: (i: number) => string, source = 'app.log', eol: LineEnding = '\n'): Line[] {
  return Array.from({ length: count }, (_, i) => ({ text: text(i), source, offset: i, end: i + 1, lineNumber: i + 1, eol }));
}

describe('OutputWriter', () => {
  it('renders a large latin1 batch as exactly the bytes of its lines', () => {
    const batch = lines(5000, (i) => `line ${i} caf\u00e9 \u00ff`);
    const expected = Buffer.from(batch.map((l) => l.text + l.eol).join(''), 'latin1');
    expect(new OutputWriter(raw).render(batch).equals(expected)).toBe(true);
  });

  it('renders a large UTF-8 batch as exactly the bytes of its lines', () => {
    const batch = lines(5000, (i) => `événement ${i} € 😀`);
    const expected = Buffer.from(batch.map((l) => l.text + l.eol).join(''), 'utf8');
    expect(new OutputWriter({ ...raw, encoding: 'utf8' }).render(batch).equals(expected)).toBe(true);
  });

  it('keeps a character whose surrogate halves end and start two lines without terminator', () => {
    // Pieces of a split line carry eol ''; a processor may have cut them between the two halves.
    const batch = lines(4000, (i) => (i % 2 === 0 ? `${'x'.repeat(20)}\ud83d` : `\ude00${'y'.repeat(20)}`), 'app.log', '');
    const expected = Buffer.from(batch.map((l) => l.text).join(''), 'utf8');
    expect(new OutputWriter({ ...raw, encoding: 'utf8' }).render(batch).equals(expected)).toBe(true);
  });

  it('writes a header whenever a large batch switches file, and a prefix on every line', () => {
    const batch = [...lines(3000, (i) => `a${i}`, 'a.log'), ...lines(3000, (i) => `b${i}`, 'b.log'), ...lines(2, (i) => `a${i}`, 'a.log')];
    const headed = new OutputWriter({ ...raw, headers: true }).render(batch).toString('latin1');
    expect(headed.split('\n').filter((l) => l.startsWith('==> '))).toEqual(['==> a.log <==', '==> b.log <==', '==> a.log <==']);
    expect(headed.startsWith('==> a.log <==\na0\n')).toBe(true);
    expect(headed).toContain('a2999\n\n==> b.log <==\nb0\n');
    const prefixed = new OutputWriter({ ...raw, prefix: true }).render(batch).toString('latin1').split('\n');
    expect(prefixed[0]).toBe('a.log: a0');
    expect(prefixed[3000]).toBe('b.log: b0');
    expect(prefixed).toHaveLength(6003);
  });

  it('renders a large batch as JSON lines', () => {
    const batch = lines(3000, (i) => `événement ${i}`);
    const out = new OutputWriter({ ...raw, format: 'jsonl', encoding: 'utf8' }).render(batch).toString('utf8').split('\n');
    expect(out).toHaveLength(3001);
    expect(JSON.parse(out[2999]!)).toEqual({ file: 'app.log', text: 'événement 2999', offset: 2999, end: 3000, line: 3000 });
  });

  it('renders an empty batch as an empty buffer', () => {
    expect(new OutputWriter(raw).render([])).toHaveLength(0);
  });

  it('writes blocks as they are, uncopied, with the lines around them and headers where the file changes', () => {
    const read = Buffer.from('one\ntwo\n\xff\r\n', 'latin1');
    const block: LineBlock = { text: '', bytes: read.subarray(0, 12), source: 'a', offset: 4, end: 16, lineNumber: 4, eol: '' };
    const held: Line = { text: 'zero', source: 'a', offset: 0, end: 4, lineNumber: 1, eol: '\n' };
    const other: Line = { text: 'b1', source: 'b', offset: 0, end: 3, lineNumber: 1, eol: '\n' };
    const writer = new OutputWriter({ ...raw, headers: true });
    const parts = writer.renderParts([held, block, other]);
    expect(parts[1]).toBe(block.bytes);
    expect(Buffer.concat(parts).toString('latin1')).toBe('==> a <==\nzero\none\ntwo\n\xff\r\n\n==> b <==\nb1\n');
    expect(writer.render([block]).toString('latin1')).toBe('\n==> a <==\none\ntwo\n\xff\r\n');
  });
});
