/**
 * The code examples of the documentation: the js/ts blocks of the README and the `@example` blocks of the
 * TSDoc comments in src/, each with where it comes from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface DocExample {
  /** `README.md:309`, `src/tail.ts:20`: the line the block starts on. */
  readonly where: string;
  readonly lang: 'js' | 'ts';
  readonly code: string;
  /** The README section it is in (its nearest heading), or the file it documents. */
  readonly section: string;
  /** The README chapter it is in (its nearest `## ` heading), or the file it documents. */
  readonly chapter: string;
  /** From a TSDoc comment marked `@internal` (not part of the public API). */
  readonly internal: boolean;
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Every ```js / ```ts block of the README (also those indented in a list). */
export function readmeExamples(): DocExample[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const out: DocExample[] = [];
  for (const m of readme.matchAll(/^( *)```(js|ts)\n([\s\S]*?)^\1```/gm)) {
    const indent = m[1]!.length;
    const code = m[3]!.split('\n').map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n');
    const before = readme.slice(0, m.index);
    const heading = [...before.matchAll(/^#+ (.*)$/gm)].at(-1)?.[1] ?? '';
    const chapter = [...before.matchAll(/^## (.*)$/gm)].at(-1)?.[1] ?? '';
    out.push({ where: `README.md:${lineOf(readme, m.index)}`, lang: m[2] as 'js' | 'ts', code, section: heading, chapter, internal: false });
  }
  return out;
}

/** Every ```ts block after an `@example` tag in the TSDoc comments of src/. */
export function tsdocExamples(): DocExample[] {
  const files = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  return files.flatMap((file) => tsdocExamplesOf(path.join(ROOT, 'src', file)));
}

/** Every ```ts block after an `@example` tag in the TSDoc comments of `file` (an absolute path). */
export function tsdocExamplesOf(file: string): DocExample[] {
  const out: DocExample[] = [];
  const name = path.relative(ROOT, file);
  const text = readFileSync(file, 'utf8');
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    for (const m of comment[0].matchAll(/@example\s*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
      const code = m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n') + '\n';
      const where = `${name}:${lineOf(text, comment.index + m.index)}`;
      out.push({ where, lang: 'ts', code, section: name, chapter: name, internal: comment[0].includes('@internal') });
    }
  }
  return out;
}
