import type { Line, TailStream } from '../../src/index.js';

/** Polls `check` (every `every` ms) until it returns true, failing with `what` after `ms`. Never a fixed sleep. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 5_000, every = 5): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/**
 * Consumes a tail in the background, keeping every line. `until(n)` waits for n lines; `stop()` closes
 * the tail and waits for the loop to end.
 */
export function collect(stream: TailStream): {
  lines: Line[];
  texts: () => string[];
  until: (count: number, ms?: number) => Promise<Line[]>;
  stop: () => Promise<void>;
  error: () => unknown;
} {
  const lines: Line[] = [];
  let error: unknown;
  const loop = (async () => {
    try {
      for await (const line of stream) lines.push(line);
    } catch (e) {
      error = e;
    }
  })();
  return {
    lines,
    texts: () => lines.map((l) => l.text),
    async until(count, ms = 5_000) {
      await waitFor(() => lines.length >= count || error !== undefined, () => `${count} lines (have ${lines.length}: ${JSON.stringify(lines.slice(-5).map((l) => l.text))})`, ms);
      if (error !== undefined) throw error;
      return lines;
    },
    async stop() {
      await stream.close();
      await loop;
    },
    error: () => error,
  };
}
