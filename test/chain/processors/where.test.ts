import { describe, expect, it } from 'vitest';
import { json } from '../../../src/chain/processors/json.js';
import { parseWhere } from '../../../src/chain/processors/where.js';
import { ctx } from './ctx.js';

/** The records of `lines` (JSON texts) that `--where spec` keeps. */
function kept(spec: string, lines: string[]): string[] {
  const p = json({ where: [spec] });
  return lines.filter((line) => p.process(line, ctx(line)) === undefined);
}

const RECORDS = [
  '{"level":"info","n":1,"s":"10"}',
  '{"level":"error","n":500,"s":"x"}',
  '{"level":"warn","n":null}',
  '{"level":null,"n":20.5,"tags":["a"]}',
  '{"msg":"no level","n":"abc","ok":false}',
];

describe('--where conditions', () => {
  it.each([
    ['level=info', [0]],
    ['level!=info', [1, 2, 3, 4]],
    ['level=null', [3, 4]],
    ['level!=null', [0, 1, 2]],
    ['n=null', [2]],
    ['n!=null', [0, 1, 3, 4]],
    ['n<20', [0]],
    ['n<=20.5', [0, 3]],
    ['n>20.5', [1]],
    ['n>=1', [0, 1, 3]],
    ['s>5', [0]],
    ['level~^(error|warn)$', [1, 2]],
    ['level~', [0, 1, 2]],
    ['msg~level$', [4]],
    ['ok=false', [4]],
    ['tags=["a"]', [3]],
    ['level="null"', []],
    ['s="10"', [0]],
    ['n=1', [0]],
    ['level=', []],
  ])('%s keeps records %j', (spec, indexes) => {
    expect(kept(spec, RECORDS)).toEqual(indexes.map((i) => RECORDS[i]));
  });

  it('keeps the string "null" apart from JSON null', () => {
    expect(kept('v="null"', ['{"v":"null"}', '{"v":null}'])).toEqual(['{"v":"null"}']);
    expect(kept('v=null', ['{"v":"null"}', '{"v":null}'])).toEqual(['{"v":null}']);
  });

  it.each([
    ['level!=info', { field: 'level', op: '!=', value: 'info' }],
    ['req.status>=500', { field: 'req.status', op: '>=', value: '500' }],
    ['a<=1', { field: 'a', op: '<=', value: '1' }],
    ['a<-1', { field: 'a', op: '<', value: '-1' }],
    ['a>1e3', { field: 'a', op: '>', value: '1e3' }],
    ['msg=a=b', { field: 'msg', op: '=', value: 'a=b' }],
    ['msg~a|b', { field: 'msg', op: '~', value: 'a|b' }],
    ['msg=', { field: 'msg', op: '=', value: '' }],
    ['msg=!=', { field: 'msg', op: '=', value: '!=' }],
  ])('reads %s as field, operator, value', (spec, expected) => {
    expect(parseWhere(spec)).toEqual(expected);
  });

  it.each([
    ['level', "--where 'level': expected FIELD=VALUE, or FIELD with one of != < <= > >= ~ and a value"],
    ['', "--where '': expected FIELD=VALUE, or FIELD with one of != < <= > >= ~ and a value"],
    ['=error', "--where '=error': no field before the operator"],
    ['level!info', "--where 'level!info': '!' must be followed by '=' (FIELD!=VALUE)"],
    ['n<abc', "--where 'n<abc': '<' compares numbers, and 'abc' is not one"],
    ['n>=', "--where 'n>=': '>=' compares numbers, and '' is not one"],
    ['msg~(', /^invalid regular expression for --where: '\(': /],
  ])('refuses %j as an option error', (spec, message) => {
    expect(() => parseWhere(spec)).toThrow(expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: typeof message === 'string' ? message : expect.stringMatching(message) }));
  });
});
