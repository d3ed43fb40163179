// level-filter: keeps JSON log lines whose `level` is at least MIN_LEVEL (default: warn).
//
//   MIN_LEVEL=error tail-async --plugin ./examples/plugins/level-filter.mjs app.log
//
// Levels, lowest first: trace, debug, info, warn, error, fatal, as names (any case; `warning` counts as
// warn) or as pino's numbers 10, 20, 30, 40, 50, 60 (other numbers compare by value). MIN_LEVEL takes
// either form and is read once, when the plugin is loaded; an unknown one stops the plugin from loading.
// Lines that are not JSON objects, and records without a level this plugin understands, pass unchanged:
// a filter should not hide what it cannot classify.

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, warning: 40, error: 50, fatal: 60 };

/** The numeric level of a `level` value, or undefined. */
function levelNumber(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const name = value.trim().toLowerCase();
  if (/^\d+$/.test(name)) return Number(name);
  return Object.hasOwn(LEVELS, name) ? LEVELS[name] : undefined;
}

const minName = process.env.MIN_LEVEL ?? 'warn';
const min = levelNumber(minName);
if (min === undefined) {
  throw new Error(`MIN_LEVEL must be one of trace, debug, info, warn, error, fatal or a number, not '${minName}'`);
}

export default {
  name: 'level-filter',
  minLevel: min,
  process(text) {
    // Cheap test first: most non-JSON lines never reach JSON.parse.
    if (!text.trimStart().startsWith('{')) return undefined;
    let record;
    try {
      record = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof record !== 'object' || record === null) return undefined;
    const level = levelNumber(record.level);
    if (level === undefined) return undefined;
    return level >= min ? undefined : null;
  },
};
