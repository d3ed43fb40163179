'use strict';
// @logdna/tail-file as a command, with its documented settings: new TailFile(file, { startPos })
// (startPos 0 reads from the start; default null = from the end), polling every 1000 ms (default),
// its output split into lines with split2 (its README's "pipe" example) or node:readline (its
// "readline" example). It has no "read and stop" mode either: with --expect-lines N this wrapper
// exits once N lines arrived. With split2 the stream is piped, so backpressure reaches the tailer;
// readline's 'line' events do not pass backpressure on.
const TailFile = require('@logdna/tail-file');
const split2 = require('split2');
const readline = require('node:readline');
const { Writable } = require('node:stream');
const { createLineWriter, parseArgs, finish } = require('./out.cjs');

const opts = parseArgs(process.argv.slice(2));
const tails = [];
const out = createLineWriter({
  expectLines: opts.expectLines,
  onDone: () => {
    for (const t of tails) t.quit().catch(() => {});
    finish();
  },
});

// For split2: a sink that hands lines to the batching writer and waits for stdout when it is full.
function sink() {
  return new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(line, _enc, done) {
      out.line(line);
      if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => done());
      else done();
    },
  });
}

async function start(file) {
  const tail = new TailFile(file, { startPos: opts.fromStart ? 0 : null });
  tail.on('tail_error', (error) => process.stderr.write(`logdna: ${error.message}\n`));
  tails.push(tail);
  await tail.start();
  if (opts.split === 'readline') {
    const rl = readline.createInterface({ input: tail, crlfDelay: Infinity });
    rl.on('line', (line) => out.line(line));
  } else {
    tail.pipe(split2()).pipe(sink());
  }
}

Promise.all(opts.files.map(start)).catch((error) => {
  process.stderr.write(`logdna: cannot start: ${error.message}\n`);
  process.exit(1);
});
