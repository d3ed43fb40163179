import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Looks once for the servers the sink tests start (redis-server, nats-server).
    globalSetup: ['test/helpers/servers-setup.ts'],
    // The helpers' cleanups (temp dirs, child processes, servers, clients) after every test of every file.
    setupFiles: ['test/helpers/setup.ts'],
    // Tests that watch real files wait on the file system; these bounds are deadlines, not sleeps.
    testTimeout: 30_000,
    hookTimeout: 15_000,
    pool: 'forks',
    // A worker process runs its test files one after another with the modules it already loaded, instead
    // of loading src/ again for each of them. Measured on a 2-core machine where the suite took 221 s
    // (2026-12-01): 187 s, and 317 s of CPU time instead of 421 (imports: 16 s instead of 54). Tests must
    // leave no state behind them (timers, listeners, fake clocks), and the helpers' own cleanups are run by a
    // setup file (test/helpers/after-each.ts says why).
    isolate: false,
    // Three test files at a time on this 2-core machine: most tests wait on the file system, child
    // processes and timers, not the CPU. Measured: one at a time (the default here) ~135 s, when the
    // suite was smaller; two, 163 s for today's 110 files; three, 119 s, all green. On a slower machine
    // (2026-12-01, with isolate: false): two 203 s, three 190-198 s, four 200 s.
    maxWorkers: 3,
  },
});
