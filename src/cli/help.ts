import { FLAGS } from './flags.js';

/**
 * The `--help` text, laid out by yargs from the option table (hidden flags left out). yargs is loaded
 * only here: the command line is read by getopt.ts, which keeps start-up short.
 * @internal
 */
export async function renderHelp(): Promise<string> {
  const { default: yargs } = await import('yargs');
  let parser = yargs([])
    .help(false)
    .version(false)
    .scriptName('tail-async')
    .usage('Usage: $0 [OPTION]... [FILE|PATTERN]...\n\nPrint the last 10 lines of each FILE and follow it as it grows, across rotation,\ntruncation, deletion and re-creation (like tail -F). With no FILE, or when FILE is -,\nread standard input line by line to its end.')
    .wrap(100);
  for (const { name, optionalValue: _, ...option } of FLAGS.filter((f) => !f.hidden)) parser = parser.option(name, { ...option, choices: option.choices ? [...option.choices] : undefined, alias: typeof option.alias === 'string' || option.alias === undefined ? option.alias : [...option.alias] });
  return parser
    .example('$0 app.log', 'last 10 lines of app.log, then follow it')
    .example('$0 -n 100 app.log | grep ERROR', 'last 100 lines, then follow, through grep')
    .example("$0 -n +1 --no-follow 'logs/*.log'", 'every line of every matching file, then exit')
    .example("$0 'logs/**/*.log'", 'follow every match, and files that start matching later')
    .example('some-cmd | $0 -n 5', 'the last 5 lines of the output of some-cmd')
    .example("$0 --grep ERROR --multiline-start '^\\d{4}-' app.log", 'error events, stack traces joined to them')
    .example('$0 --json --where level=error --fields time,msg app.log', 'selected fields of JSON error records')
    .example("$0 --json --where 'status>=500' --where 'path~^/api/' app.log", 'JSON records of server errors under /api/')
    .example('$0 --no-follow -n 3 --grep ERROR app.log', 'the last 3 lines that match ERROR')
    .example('$0 --plugin ./redact.mjs app.log', 'lines through a processor of your own')
    .example('$0 --state-file st.json --sink redis://127.0.0.1/0 app.log', 'ship lines to Redis streams; the state file moves once Redis has them')
    .example('$0 --serve 8080 app.log', 'a live page of app.log in the browser, at http://127.0.0.1:8080/')
    .epilogue(
      'K may have a multiplier suffix: b 512, kB 1000, K 1024, MB 1000*1000, M 1024*1024, GB, G, T, P, E…\n' +
        'SEC above 2147483 (about 24.8 days, the longest a timer waits) counts as 2147483.\n' +
        'Quote patterns so that new matching files are picked up while following.\n\n' +
        'Exit status: 0 success; 1 a file could not be read, writing the output failed, the state file\n' +
        'was not saved before exit, or the --sink engine could not be reached at the start or refused\n' +
        'the lines; 2 usage error, a plugin that cannot be loaded, or a state file that cannot be used\n' +
        '(unwritable, in use, among the inputs); 130/143 ended by SIGINT/SIGTERM; 141 the reader of the\n' +
        'output went away. A plugin that fails on a line, or to close, is reported and changes no status\n' +
        '(but with --on-error stop: 1).\n\n' +
        'SIGINT and SIGTERM end the run within a second, also while a plugin is stuck: the lines every\n' +
        'processor had finished are printed; the line a plugin was working on and the lines after it are\n' +
        'not, and the next run with the same --state-file starts at that line.',
    )
    .getHelp();
}
