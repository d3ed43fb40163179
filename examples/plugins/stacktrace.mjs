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

const CONTINUATION = /^(?:\s+at\s|\s*Caused by:|\s*\.\.\. \d+ more\b|\s+Suppressed:)/;
const MAX_LINES = 1000;

function emit(event) {
  return { text: event.lines.join('\n'), first: event.first, last: event.last };
}

// A factory, so that each tail that loads the plugin gets its own pending events (a module-level map
// would be shared by every tail of the process that runs the plugin in its own thread).
export function createProcessor() {
  /** Pending events by source, in the order their first lines arrived. */
  const pending = new Map();
  return {
    name: 'stacktrace',
    idleFlushMs: 500,
    process(text, ctx) {
      const out = [];
      let event = pending.get(ctx.source);
      if (event !== undefined && !CONTINUATION.test(text)) {
        pending.delete(ctx.source);
        out.push(emit(event));
        event = undefined;
      }
      if (event === undefined) {
        // A trace whose first line was not seen (the tail started inside it) still gets joined.
        event = { lines: [text], first: ctx, last: ctx };
        pending.set(ctx.source, event);
      } else {
        event.lines.push(text);
        event.last = ctx;
      }
      if (event.lines.length >= MAX_LINES) {
        pending.delete(ctx.source);
        out.push(emit(event));
      }
      return out.length === 0 ? null : out;
    },
    flush() {
      const out = [...pending.values()].map(emit);
      pending.clear();
      return out;
    },
  };
}
