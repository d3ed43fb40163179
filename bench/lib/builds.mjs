// The builds of tail-async a run measures: this checkout, and with BENCH_COMPARE=/path/to/checkout another
// one (its bin/tail-async.js and dist/), measured next to it in the same interleaved rounds. Its rows are
// named after this checkout's with ` (LABEL)` appended, e.g. `tail-async (base@d370041)`.
import { existsSync, readdirSync, statSync, realpathSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { ROOT, BIN } from './common.mjs';

/** Newest modification time (ms) of the files under `dir` (0 when it does not exist). */
export function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

function git(root, args) {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function build(key, root, bin, label) {
  const commit = git(root, ['rev-parse', '--short', 'HEAD']);
  return {
    key,
    root,
    bin,
    distDir: join(root, 'dist'),
    commit,
    dirty: (git(root, ['status', '--porcelain', '--', 'src', 'bin']) ?? '') !== '',
    distOlderThanSrc: newestMtime(join(root, 'src')) > newestMtime(join(root, 'dist')),
    label,
    /** The row name of this build's variant of a tail-async row. */
    name: key === 'current' ? (id) => id : (id) => `${id} (${label})`,
  };
}

/**
 * [this checkout] or [this checkout, the compare checkout] from `cfg.compare` (BENCH_COMPARE, resolved
 * against the directory `npm run` was started from) and `cfg.compareLabel`. Throws a readable Error when
 * the compare checkout is not usable.
 */
export function loadBuilds(cfg) {
  const current = build('current', ROOT, BIN, undefined);
  if (!cfg.compare) return [current];
  const root = resolve(process.env.INIT_CWD ?? process.cwd(), cfg.compare);
  const bin = join(root, 'bin', 'tail-async.js');
  for (const [path, what] of [[root, 'the directory'], [bin, 'bin/tail-async.js'], [join(root, 'dist', 'index.js'), 'dist/index.js (build it there: npm ci)']]) {
    if (!existsSync(path)) throw new Error(`BENCH_COMPARE=${cfg.compare}: ${what} is missing (${path})`);
  }
  const commit = git(root, ['rev-parse', '--short', 'HEAD']);
  const label = cfg.compareLabel || (commit ? `${basename(root)}@${commit}` : basename(root));
  const other = build('compare', root, bin, label);
  other.sameAsCurrent = realpathSync(root) === realpathSync(ROOT);
  return [current, other];
}

/**
 * Makes `make(build)` for each build: this checkout's item, then (with BENCH_COMPARE) the compare
 * build's right after it, so that interleaved rounds run them back to back. Each item gets `pair` (the id
 * of this checkout's item: interleave() gives a pair the same number of rounds) and `tags`, the row fields
 * that mark a compare row (`build: 'compare'`, `compareOf`: the id of its counterpart), empty otherwise.
 */
export function forBuilds(builds, make) {
  const items = [];
  let pair;
  for (const b of builds) {
    const item = make(b);
    if (!item) continue;
    if (b.key === 'current') pair = item.id;
    items.push({ ...item, pair, tags: b.key === 'current' ? {} : { build: b.key, compareOf: pair } });
  }
  return items;
}
