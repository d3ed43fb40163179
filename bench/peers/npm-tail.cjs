'use strict';
// The `tail` npm package (lucagrulla/node-tail) as a command, with its documented settings:
//   new Tail(file, { fromBeginning })   default separator /[\r]{0,1}\n/, fs.watch, utf-8.
// It has no "read and stop" mode (`follow: false` only concerns renames; it always watches), so for
// catch-up runs the harness passes --expect-lines N and this wrapper exits once N lines arrived.
const { Tail } = require('tail');
const { createLineWriter, parseArgs, finish } = require('./out.cjs');

const opts = parseArgs(process.argv.slice(2));
const tails = [];
const out = createLineWriter({
  expectLines: opts.expectLines,
  onDone: () => {
    for (const t of tails) t.unwatch();
    finish();
  },
});
for (const file of opts.files) {
  const t = new Tail(file, { fromBeginning: opts.fromStart });
  t.on('line', (line) => out.line(line));
  t.on('error', (error) => process.stderr.write(`npm-tail: ${error}\n`));
  tails.push(t);
}
