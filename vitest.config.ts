import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Looks once for the servers the sink tests start (redis-server, nats-server).
    globalSetup: ['test/helpers/servers-setup.ts'],
    // Tests that watch real files wait on the file system; these bounds are deadlines, not sleeps.
    testTimeout: 30_000,
    hookTimeout: 15_000,
    pool: 'forks',
    // Two test files at a time on this 2-core machine (the default, one fewer than the cores, ran them
    // one by one): measured, the suite's vitest time went from ~135 s to ~76 s.
    maxWorkers: 2,
  },
});
