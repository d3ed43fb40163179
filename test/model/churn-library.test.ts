/** The churn model against the library (`tail(file, { start: { lines: 0 } })`); see churn/suite.ts. */
import { churnSuite } from './churn/suite.js';

churnSuite('library', { cases: 25, steps: 40, regressions: [] });
