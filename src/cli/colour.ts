import type { CliOptions } from './args.js';

/**
 * Whether --grep matches are highlighted: only in raw text printed for a person. Never when the lines
 * are JSON (--json, whose records must stay parseable, or --output jsonl, whose "text" would carry the
 * escapes) nor when they are shipped (--sink) or served to browsers (--serve), whatever --color says;
 * otherwise `always`, or `auto` on a terminal without NO_COLOR.
 * @internal
 */
export function highlights(options: Pick<CliOptions, 'color' | 'output' | 'steps' | 'sink' | 'serve'>, stdout: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (options.output === 'jsonl' || options.sink !== undefined || options.serve !== undefined || options.steps.some((step) => step.kind === 'json')) return false;
  return options.color === 'always' || (options.color === 'auto' && stdout.isTTY === true && !env.NO_COLOR);
}
