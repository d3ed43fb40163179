import type { LineContext } from '../../../src/chain/types.js';

/**
 * A {@link LineContext} as the chain would give it for a line `text` read at `offset` of `source`,
 * ended by `\n`.
 */
export function ctx(text: string, source = 'app.log', lineNumber = 1, offset = 0): LineContext {
  const end = offset + Buffer.byteLength(text, 'utf8') + 1;
  return { source, lineNumber, offset, end, line: { text, source, offset, end, lineNumber, eol: '\n' } };
}

/** Contexts for consecutive lines of one source, numbered from 1 with running offsets. */
export function ctxs(source: string, texts: readonly string[]): LineContext[] {
  let offset = 0;
  return texts.map((text, i) => {
    const context = ctx(text, source, i + 1, offset);
    offset = context.end;
    return context;
  });
}
