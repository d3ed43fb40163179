import { optionError } from '../../errors.js';
import { compilePattern } from './patterns.js';

/** How a `--where` condition compares a field with its value. */
export type WhereOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';

/** One condition on a JSON record: `field` (a dotted path), `op`, `value` (as written). */
export interface WhereCondition {
  readonly field: string;
  readonly op: WhereOperator;
  readonly value: string;
}

/** Operators, longest first, so that `<=` is not read as `<` followed by `=`. */
const OPERATORS: readonly WhereOperator[] = ['!=', '<=', '>=', '=', '<', '>', '~'];

/**
 * Parses the CLI's `--where` condition: `FIELD` then the first operator in it (`=`, `!=`, `<`, `<=`,
 * `>`, `>=`, `~`) then `VALUE` (the rest, as written; it may be empty and may hold operators). Throws a
 * `TailError` with code `ERR_TAIL_OPTION` naming the condition when it has no field, no operator, a
 * lone `!`, a comparison with something that is not a number, or an invalid regular expression.
 *
 * @example
 * ```ts
 * parseWhere('level!=info');     // { field: 'level', op: '!=', value: 'info' }
 * parseWhere('req.status>=500'); // { field: 'req.status', op: '>=', value: '500' }
 * parseWhere('msg=a=b');         // { field: 'msg', op: '=', value: 'a=b' }
 * ```
 * @internal
 */
export function parseWhere(spec: string): WhereCondition {
  const fail = (why: string) => optionError(`--where '${spec}': ${why}`);
  const at = spec.search(/[=!<>~]/);
  if (at < 0) throw fail('expected FIELD=VALUE, or FIELD with one of != < <= > >= ~ and a value');
  const field = spec.slice(0, at);
  const op = OPERATORS.find((o) => spec.startsWith(o, at));
  if (op === undefined) throw fail("'!' must be followed by '=' (FIELD!=VALUE)");
  if (field.trim() === '') throw fail('no field before the operator');
  const condition = { field, op, value: spec.slice(at + op.length) };
  compileCondition(condition, fail);
  return condition;
}

/**
 * A test of records for one condition. `=` compares the field's text (`String` of a string, number or
 * boolean; the JSON of an object or array) with the value; `null` stands for a JSON `null` or a missing
 * field, and a value in double quotes is a JSON string (`msg="null"` is the text null). `!=` is exactly
 * the records `=` leaves out. `<`, `<=`, `>`, `>=` compare numbers: the value must be one, and fields that
 * are numbers (or strings holding one) are compared; others never match. `~` tests the field's text
 * against the value as a regular expression; a field without text (missing, null, an object) never matches.
 * @internal
 */
export function compileCondition(condition: WhereCondition, fail: (why: string) => Error = (why) => optionError(`--where: ${why}`)): (found: unknown) => boolean {
  const { op, value } = condition;
  if (op === '=' || op === '!=') {
    const equal = equality(value);
    return op === '=' ? equal : (found) => !equal(found);
  }
  if (op === '~') {
    const regexp = compilePattern(value, '--where');
    return (found) => {
      const text = textOf(found);
      return text !== undefined && regexp.test(text);
    };
  }
  const limit = toNumber(value);
  if (limit === undefined) throw fail(`'${op}' compares numbers, and '${value}' is not one`);
  const compare = op === '<' ? (n: number) => n < limit : op === '<=' ? (n: number) => n <= limit : op === '>' ? (n: number) => n > limit : (n: number) => n >= limit;
  return (found) => {
    const n = typeof found === 'number' ? found : typeof found === 'string' ? toNumber(found) : undefined;
    return n !== undefined && compare(n);
  };
}

function equality(value: string): (found: unknown) => boolean {
  if (value === 'null') return (found) => found === null || found === undefined;
  const quoted = jsonString(value);
  if (quoted !== undefined) return (found) => found === quoted;
  return (found) => found !== null && found !== undefined && (typeof found === 'object' ? JSON.stringify(found) : String(found)) === value;
}

/** The text a field is matched on with `~`: strings, numbers and booleans have one. */
function textOf(found: unknown): string | undefined {
  return typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean' ? String(found) : undefined;
}

/** A decimal (or JSON) number written in `text`, if that is all it holds. */
function toNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function jsonString(value: string): string | undefined {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
