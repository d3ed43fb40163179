/** The churn model against the command in block mode (`tail-async -n 0 app.log`); see churn/suite.ts. */
import { churnSuite } from './churn/suite.js';

churnSuite('command', { cases: 12, steps: 30, regressions: [
  { seed: 248, steps: 120, why: 'a line cut by a truncation was joined to another' },
  { seed: 312, steps: 120, why: 'a partial line was emitted cut, and its rest lost' },
  { seed: 1063, steps: 120, why: 'a file rotated away unseen was taken for a copy of the unseen one before it, nothing of which was read' },
  { seed: 160, steps: 120, why: 'a copy made 1 ms before its file was rotated away, nothing of it read, was taken for a file that held the name unseen' },
  { seed: 9100, steps: 120, why: 'starved: a file seen arriving after a count was asked for made the count come out even before its events were in, and an unseen file was never looked for' },
  { seed: 30032, steps: 120, why: 'starved, not diagnosed yet: both copies of a new file copytruncated twice before its first read were never read' },
  { seed: 30055, steps: 120, why: 'starved, not diagnosed yet: the copy of a new file copytruncated twice before its first read was never read' },
] });
