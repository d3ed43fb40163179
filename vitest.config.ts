import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that watch real files wait on the file system; these bounds are deadlines, not sleeps.
    testTimeout: 30_000,
    hookTimeout: 15_000,
    pool: 'forks',
  },
});
