import { describe, expect, it } from 'vitest';
import { format, logfmt, parseLogfmt, regex, json } from '../../../src/index.js';
import { ctx } from './ctx.js';
import type { ProcessorObject } from '../../../src/chain/types.js';

const run = (p: ProcessorObject, text: string): unknown => p.process(text, ctx(text));

describe('parseLogfmt', () => {
  it.each([
    ['level=info msg=hello', { level: 'info', msg: 'hello' }],
    ['msg="hello world" n=3', { msg: 'hello world', n: '3' }],
    ['msg="say \\"hi\\"" path="C:\\\\tmp"', { msg: 'say "hi"', path: 'C:\\tmp' }],
    ['msg="a\\tb\\nc\\u00e9"', { msg: 'a\tb\nc\u00e9' }],
    ['debug level=warn', { debug: true, level: 'warn' }],
    ['empty= next=1', { empty: '', next: '1' }],
    ['url=/a?b=c&d=e', { url: '/a?b=c&d=e' }],
    ['  lead   trail=1  ', { lead: true, trail: '1' }],
    ['k=1 k=2', { k: '2' }],
    ['msg="unterminated rest', { msg: 'unterminated rest' }],
    ['= "stray" a=1', { stray: true, a: '1' }],
    ['ünï=cödé', { ünï: 'cödé' }],
    ['__proto__=x', { ['__proto__']: 'x' }],
    ['', {}],
  ])('reads %j', (line, expected) => {
    expect({ ...parseLogfmt(line) }).toEqual(expected);
    expect(Object.keys(parseLogfmt(line))).toEqual(Object.keys(expected));
  });
});

describe('logfmt()', () => {
  it('filters with where and picks fields exactly as json() does', () => {
    const line = 'time=1 level=error msg="disk full" req.status=503';
    const asJson = JSON.stringify({ time: '1', level: 'error', msg: 'disk full', 'req.status': '503' });
    for (const options of [{ where: ['level=error', 'req.status>=500'], fields: ['msg', 'req.status'] }, { where: ['level!=error'] }, { where: ['msg~full$'] }]) {
      expect(run(logfmt(options), line)).toEqual(run(json(options), asJson));
    }
    expect(run(logfmt({ where: ['level=error'] }), line)).toBeUndefined();
    expect(run(logfmt({ where: ['level=info'] }), line)).toBeNull();
    expect(run(logfmt({ fields: ['msg', 'missing'] }), line)).toBe('{"msg":"disk full"}');
  });

  it('renders a format', () => {
    expect(run(logfmt({ format: '{time} {level} {msg}' }), 'level=warn msg=x')).toBe(' warn x');
  });

  it('refuses fields and format together', () => {
    expect(() => logfmt({ fields: ['a'], format: '{a}' })).toThrow('give fields or format, not both');
  });
});

describe('regex()', () => {
  const access = '^(?<ip>\\S+) \\S+ \\S+ \\[(?<time>[^\\]]+)\\] "(?<method>\\S+) (?<path>\\S+)[^"]*" (?<status>\\d+)(?: (?<bytes>\\d+))?';
  const line = '10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /api/x HTTP/1.1" 503 -';

  it('makes a record of the named groups; a group that did not take part is missing', () => {
    expect(run(regex(access, { fields: ['status', 'path', 'bytes'] }), line)).toBe('{"status":"503","path":"/api/x"}');
    expect(run(regex(access, { where: ['status>=500', 'path~^/api/'] }), line)).toBeUndefined();
    expect(run(regex(access, { where: ['bytes=null'] }), line)).toBeUndefined();
    expect(run(regex(access, { where: ['status<500'] }), line)).toBeNull();
  });

  it('takes a RegExp (its global flag does not carry state from line to line)', () => {
    const p = regex(/(?<word>\w+)$/g, { fields: ['word'] });
    expect(run(p, 'a b')).toBe('{"word":"b"}');
    expect(run(p, 'a b')).toBe('{"word":"b"}');
  });

  it('throws on a line it does not match, for the error policy to handle', () => {
    expect(() => run(regex('^(?<n>\\d+)$'), 'abc')).toThrow('does not match /^(?<n>\\d+)$/: abc');
  });

  it.each([
    ['(', "invalid regular expression '('"],
    ['^\\d+$', 'has no named group'],
  ])('refuses %j', (pattern, message) => {
    expect(() => regex(pattern)).toThrow(message);
  });
});

describe('format()', () => {
  it('renders fields, nested paths, the raw text and braces; missing and null fields are empty', () => {
    const p = format('{{{level}}} {req.status} {user} {gone} {obj} {.}');
    const text = '{"level":"info","req":{"status":200},"user":null,"obj":{"a":[1]}}';
    expect(run(p, text)).toBe(`{info} 200   {"a":[1]} ${text}`);
  });

  it('parses logfmt or a regex when told to', () => {
    expect(run(format('{b}-{a}', { parse: 'logfmt' }), 'a=1 b=2')).toBe('2-1');
    expect(run(format('{y}/{m}', { parse: /^(?<y>\d{4})-(?<m>\d{2})/ }), '2024-05-01')).toBe('2024/05');
  });

  it('throws on a line that is not a record, for the error policy to handle', () => {
    expect(() => run(format('{a}'), 'not json')).toThrow('not JSON: not json');
    expect(() => run(format('{a}'), '[1]')).toThrow('not a JSON object');
  });

  it.each([
    ['{a', "'{' at 1 is not closed"],
    ['x {} y', 'empty field name at 3'],
  ])('refuses the template %j', (template, message) => {
    expect(() => format(template)).toThrow(message);
  });
});
