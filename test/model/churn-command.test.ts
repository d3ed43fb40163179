/** The churn model against the command in block mode (`tail-async -n 0 app.log`); see churn/suite.ts. */
import { churnSuite } from './churn/suite.js';

churnSuite('command', { cases: 25, steps: 40, regressions: [] });
