'use strict';
// Shared by the peer wrappers: collects lines and writes them to stdout in large chunks (one write per
// burst of events, or every 64 KiB), so that the benchmark measures the tailer, not one write(2) per
// line. The tail-async CLI also writes once per read chunk, so this is the like-for-like comparison.

const FLUSH_BYTES = 64 * 1024;

function createLineWriter({ expectLines, onDone }) {
  let parts = [];
  let size = 0;
  let count = 0;
  let scheduled = false;
  let done = false;

  const flush = () => {
    scheduled = false;
    if (parts.length === 0) return;
    const chunk = parts.join('');
    parts = [];
    size = 0;
    process.stdout.write(chunk);
  };

  return {
    line(text) {
      if (done) return;
      parts.push(text, '\n');
      size += text.length + 1;
      count++;
      if (size >= FLUSH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      if (expectLines !== undefined && count >= expectLines) {
        done = true;
        flush();
        onDone();
      }
    },
    flush,
    get count() {
      return count;
    },
  };
}

/** argv: [--from-start] [--expect-lines N] [--split split2|readline] FILE... */
function parseArgs(argv) {
  const opts = { fromStart: false, expectLines: undefined, split: 'split2', files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--from-start') opts.fromStart = true;
    else if (a === '--expect-lines') opts.expectLines = Number(argv[++i]);
    else if (a === '--split') opts.split = argv[++i];
    else opts.files.push(a);
  }
  if (opts.files.length === 0) {
    process.stderr.write('usage: [--from-start] [--expect-lines N] [--split split2|readline] FILE...\n');
    process.exit(2);
  }
  return opts;
}

/** Ends the process once stdout has taken everything (stdout to a pipe is synchronous on Linux). */
function finish() {
  process.stdout.write('', () => process.exit(0));
}

process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(141);
  throw error;
});
process.on('SIGTERM', () => process.exit(143));
process.on('SIGINT', () => process.exit(130));

module.exports = { createLineWriter, parseArgs, finish };
