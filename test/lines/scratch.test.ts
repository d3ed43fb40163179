import { it } from 'vitest';
import { Framer } from '../../src/lines/framer.js';
import type { Line } from '../../src/lines/line.js';
const mk = (o: any = {}) => new Framer({ source: 's', delimiter: 10, maxLineBytes: 3, overlong: 'split', encoding: 'utf8', ...o });
function run(o: any, chunks: string[]) { const f = mk(o); const out: Line[] = []; for (const c of chunks) f.push(Buffer.from(c), out); f.flush(out); return out.map(l => [l.text, l.eol, l.offset, l.end, l.lineNumber]); }
it('x', () => {
  console.log(JSON.stringify(run({}, ['abc\r\n'])), JSON.stringify(run({}, ['abc\r', '\n'])));
  console.log(JSON.stringify(run({overlong:'truncate'}, ['abcd\r\n'])), JSON.stringify(run({overlong:'truncate'}, ['abcd\r', '\n'])));
  console.log(JSON.stringify(run({overlong:'truncate'}, ['abc\r\n'])), JSON.stringify(run({overlong:'truncate'}, ['abc\r', '\n'])));
  const t = Date.now(); const f = mk({maxLineBytes: 64}); const out: Line[] = []; f.push(Buffer.from('x'), out); f.push(Buffer.alloc(1<<20, 97), out); console.log('ms', Date.now()-t, out.length);
  console.log(Buffer.from('\nab').lastIndexOf(10, 0));
});
