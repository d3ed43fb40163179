/** Run before every test file (vitest `setupFiles`): the helpers' cleanups after each of its tests. */
import { afterEach } from 'vitest';
import { cleanUp } from './after-each.js';

afterEach(cleanUp);
