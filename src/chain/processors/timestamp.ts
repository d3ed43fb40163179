import { optionError } from '../../errors.js';
import type { ProcessorObject } from '../types.js';

/** Options of {@link timestamp}. */
export interface TimestampOptions {
  /** The clock; `() => new Date()` by default. */
  readonly now?: () => Date;
}

/**
 * A processor that prefixes each line with the time it was processed, in ISO 8601 (UTC), and a space.
 *
 * @example
 * ```ts
 * const stamp = timestamp({ now: () => new Date('2024-05-01T12:00:00Z') });
 * stamp.process('started', ctx); // '2024-05-01T12:00:00.000Z started'
 * ```
 */
export function timestamp(options: TimestampOptions = {}): ProcessorObject {
  const now = options.now ?? (() => new Date());
  if (typeof now !== 'function') throw optionError('timestamp(): now must be a function');
  return {
    name: 'timestamp',
    process(text) {
      return `${now().toISOString()} ${text}`;
    },
  };
}
