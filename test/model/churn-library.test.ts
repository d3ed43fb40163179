/** The churn model against the library (`tail(file, { start: { lines: 0 } })`); see churn/suite.ts. */
import { churnSuite } from './churn/suite.js';

churnSuite('library', { cases: 12, steps: 30, regressions: [
  { seed: 445, steps: 120, why: 'an inode number reused by a copy hid it from the files already read' },
  { seed: 508, steps: 120, why: 'a file that held the name for a millisecond was taken for a copy of the one before' },
  { seed: 173, steps: 120, why: 'a copy made 5 ms before its file was rotated away, nothing of it read, was read after the file' },
  { seed: 10014, steps: 120, why: 'starved: a new file copytruncated twice was read while the look for its copies waited for a count, after the first copy had objected once' },
  { seed: 10545, steps: 120, why: 'starved: the first copy of a file copytruncated twice was passed over while the look for copies waited for a count' },
  { seed: 10611, steps: 120, why: 'starved: the first copy of a file copytruncated twice was passed over while the look for copies waited for a count' },
  { seed: 10647, steps: 120, why: 'starved: an empty file, copytruncated and deleted, was let go as quiet while the look for its copy waited for a count' },
  { seed: 10728, steps: 120, why: 'starved: the first copy of a file copytruncated twice was passed over while the look for copies waited for a count' },
  { seed: 10877, steps: 120, why: 'starved: the first copy of a file copytruncated twice was passed over while the look for copies waited for a count' },
] });
