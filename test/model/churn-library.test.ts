/** The churn model against the library (`tail(file, { start: { lines: 0 } })`); see churn/suite.ts. */
import { churnSuite } from './churn/suite.js';

churnSuite('library', { cases: 25, steps: 30, regressions: [
  { seed: 445, steps: 120, why: 'an inode number reused by a copy hid it from the files already read' },
  { seed: 508, steps: 120, why: 'a file that held the name for a millisecond was taken for a copy of the one before' },
  { seed: 173, steps: 120, why: 'a copy made 5 ms before its file was rotated away, nothing of it read, was read after the file' },
] });
