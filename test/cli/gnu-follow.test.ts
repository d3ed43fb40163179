/**
 * A follow scenario run against GNU tail (the installed oracle) and tail-async side by side, step for
 * step: the bytes printed must be the same. (Those of coreutils' own scripts are in gnu-follow-*.test.ts.)
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { Pair, type Side } from '../helpers/gnu-pair.js';

describe('a partial last line while following (coreutils prints it as it is)', () => {
  it('prints `x\ny` at once and then what completes it, byte for byte as GNU tail', async (t) => {
    const p = Pair.start(t, { args: ['-f', '-s.1', 'f'], prepare: (dir) => writeFileSync(`${dir}/f`, 'x\ny') });
    const printed = (text: string) => (side: Side) => side.out.stdout === text;
    await p.until(printed('x\ny'), 'x and the partial y');
    await p.both((at) => appendFileSync(at('f'), 'z\nw'), printed('x\nyz\nw'), 'the rest of the line, and another partial one');
    await p.both((at) => appendFileSync(at('f'), '\n'), printed('x\nyz\nw\n'), 'the newline');
    await p.expectSame();
  });
});
