// stacktrace: joins stack-trace lines to the line before them, so an error and its trace travel (and
// are grepped, and printed) as one event.
//
//   tail-async --plugin ./examples/plugins/stacktrace.mjs app.log
//
// Continuation lines are those of Java and Node traces:
//       at com.example.Foo.bar(Foo.java:42)       (whitespace, then `at `)
//   Caused by: java.io.IOException: closed       (also indented, as in Node's `[cause]` output)
//       ... 12 more
//       Suppressed: ...
// Every other line starts a new event. Each file has its own pending event (lines of several files
// interleave), and an event is printed when the next event of its file starts, after 500 ms without
// input, or at the end. An event is emitted as one line (its lines joined with `\n`) that spans the
// positions of its first and last lines; one that grows past 1000 lines is emitted at once.
//
// It is tail-async's own multiline() processor, started by every line that is not a continuation: a
// plugin may build on the processors the package exports.

import { multiline } from 'tail-async';

const CONTINUATION = /^(?:\s+at\s|\s*Caused by:|\s*\.\.\. \d+ more\b|\s+Suppressed:)/;
/** Every line that is not a continuation starts an event. */
const STARTS_EVENT = new RegExp(`^(?!${CONTINUATION.source.slice(1)})`);

// A factory, so that each tail that loads the plugin gets its own pending events (a processor made once
// for the module would be shared by every tail of the process that runs the plugin in its own thread).
export function createProcessor() {
  return { ...multiline(STARTS_EVENT, { idleMs: 500, maxLines: 1000 }), name: 'stacktrace' };
}
