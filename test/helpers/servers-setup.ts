/**
 * vitest global setup: looks once per run for the server binaries the sink tests need (and chromium, for the --serve page). A missing one
 * is reported in one line and its tests are skipped, unless TAIL_ASYNC_REQUIRE_SERVERS=1 (CI, `.ci/run`):
 * then they run, and fail.
 */
import type { TestProject } from 'vitest/node';
import { locate, NEEDED_FOR, SERVER_BINARIES } from './server-binaries.js';

export default function setup(project: TestProject): void {
  const missing = SERVER_BINARIES.filter((binary) => locate(binary) === undefined);
  const required = process.env.TAIL_ASYNC_REQUIRE_SERVERS === '1';
  if (missing.length > 0 && !required) {
    const what = [...new Set(missing.map((binary) => NEEDED_FOR[binary]))].join(' or ').replace(/ it$/, missing.length === 1 ? ' it' : ' them');
    process.stderr.write(`tail-async tests: ${missing.join(' and ')} not found, so the tests that ${what} are skipped (install: apt-get install -y ${missing.join(' ')})\n`);
  }
  project.provide('skippedServers', required ? [] : missing);
}
