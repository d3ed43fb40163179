import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The plugin of test/fixtures/plugins/misbehaving.mjs: what it does to a line is named by the line's first word. */
export const MISBEHAVING = fileURLToPath(new URL('../fixtures/plugins/misbehaving.mjs', import.meta.url));

/** What each misbehaviour is reported as. */
export const REASONS: Record<string, RegExp> = {
  throw: /^thrown$/,
  reject: /^rejected$/,
  hang: /^did not settle within 200 ms$/,
  loop: /^did not finish within 200 ms \(stuck in synchronous code\?\); its thread was ended and is started again$/,
  'null-array': /^returned an array holding null at index 0; /,
  'number-array': /^returned an array holding the number 42 at index 0; /,
  'no-text': /^returned an array holding an object whose text is not a string at index 0; /,
  'empty-object': /^returned an array holding an object without text at index 0; /,
  'bad-then': /^then threw$/,
  exit: /^ended its thread \(process\.exit\(0\)\); it is started again$/,
};

/** 1 000 lines, every 100th (from line 50 on) one of the misbehaviours; the others plain. */
export async function thousandLines(dir: string): Promise<{ file: string; texts: string[]; bad: Map<number, string> }> {
  const words = Object.keys(REASONS);
  const bad = new Map<number, string>();
  const texts = Array.from({ length: 1000 }, (_, i) => {
    const word = i % 100 === 49 ? words[(i - 49) / 100] : undefined;
    if (word) bad.set(i + 1, word);
    return word ? `${word} line ${i + 1}` : `line ${i + 1}`;
  });
  const file = path.join(dir, 'app.log');
  await writeFile(file, texts.map((t) => t + '\n').join(''));
  return { file, texts, bad };
}
