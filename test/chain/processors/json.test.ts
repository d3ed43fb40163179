import { describe, it, expect } from 'vitest';
import { json, parseFields } from '../../../src/chain/processors/json.js';
import { ctx } from './ctx.js';

const run = (processor: ReturnType<typeof json>, text: string): unknown => processor.process(text, ctx(text));
const record = JSON.stringify({ level: 'error', msg: 'boom', req: { status: 500, path: '/a' }, ok: false, gone: null });

describe('json', () => {
  it('is named json', () => {
    expect(json().name).toBe('json');
  });

  it('keeps a JSON line unchanged without where or fields', () => {
    expect(run(json(), record)).toBeUndefined();
    expect(run(json(), '[1,2]')).toBeUndefined();
    expect(run(json(), '42')).toBeUndefined();
  });

  it('throws for a line that is not JSON, saying so and quoting its start', () => {
    expect(() => run(json(), 'plain text line')).toThrow('not JSON: plain text line');
    expect(() => run(json(), '{"level":')).toThrow('not JSON: {"level":');
  });

  it('keeps the parse error as the cause', () => {
    let error: unknown;
    try {
      run(json(), '{');
    } catch (e) {
      error = e;
    }
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it('quotes at most 40 characters of the line, whole code points only', () => {
    const long = `${'😀'.repeat(39)}abcdef`;
    expect(() => run(json(), long)).toThrow(`not JSON: ${'😀'.repeat(39)}a…`);
  });

  it('throws for a JSON value that is not an object when where or fields are used', () => {
    expect(() => run(json({ where: [['level', 'error']] }), '[1,2]')).toThrow('not a JSON object: [1,2]');
    expect(() => run(json({ fields: ['level'] }), '"error"')).toThrow('not a JSON object: "error"');
    expect(() => run(json({ fields: ['level'] }), 'null')).toThrow('not a JSON object: null');
  });

  describe('where', () => {
    it('keeps a record whose field has the value, and drops one whose field has another', () => {
      expect(run(json({ where: [['level', 'error']] }), record)).toBeUndefined();
      expect(run(json({ where: [['level', 'info']] }), record)).toBeNull();
    });

    it('follows dotted paths into nested objects', () => {
      expect(run(json({ where: [['req.path', '/a']] }), record)).toBeUndefined();
      expect(run(json({ where: [['req.path', '/b']] }), record)).toBeNull();
    });

    it('compares String(value), so numbers and booleans match their text', () => {
      expect(run(json({ where: [['req.status', '500']] }), record)).toBeUndefined();
      expect(run(json({ where: [['req.status', '500.0']] }), record)).toBeNull();
      expect(run(json({ where: [['ok', 'false']] }), record)).toBeUndefined();
    });

    it('matches a null or missing field with null only, never with a text', () => {
      expect(run(json({ where: [['gone', 'null']] }), record)).toBeUndefined();
      expect(run(json({ where: [['missing', 'null']] }), record)).toBeUndefined();
      expect(run(json({ where: [['level', 'null']] }), record)).toBeNull();
      expect(run(json({ where: [['missing', 'undefined']] }), record)).toBeNull();
      expect(run(json({ where: [['req.status.code', '500']] }), record)).toBeNull();
      expect(run(json({ where: [['msg.length', '4']] }), record)).toBeNull();
    });

    it('does not find inherited properties', () => {
      expect(run(json({ where: [['constructor', String(Object)]] }), '{}')).toBeNull();
      expect(run(json({ where: [['req.toString', String(Object.prototype.toString)]] }), '{"req":{}}')).toBeNull();
    });

    it('keeps a record only when every pair matches', () => {
      expect(run(json({ where: [['level', 'error'], ['req.status', '500']] }), record)).toBeUndefined();
      expect(run(json({ where: [['level', 'error'], ['req.status', '404']] }), record)).toBeNull();
    });

    it('prefers a key that contains the dots itself', () => {
      expect(run(json({ where: [['http.status', '200']] }), '{"http.status":200,"http":{"status":500}}')).toBeUndefined();
      expect(run(json({ where: [['http.status', '500']] }), '{"http.status":200,"http":{"status":500}}')).toBeNull();
    });

    it('indexes into arrays by position', () => {
      expect(run(json({ where: [['tags.1', 'b']] }), '{"tags":["a","b"]}')).toBeUndefined();
    });
  });

  describe('fields', () => {
    it('replaces the line by the selected fields, keyed by their paths, in the given order', () => {
      expect(run(json({ fields: ['req.status', 'level'] }), record)).toBe('{"req.status":500,"level":"error"}');
      expect(run(json({ fields: ['level', 'req.status'] }), record)).toBe('{"level":"error","req.status":500}');
    });

    it('leaves out missing fields but keeps null ones', () => {
      expect(run(json({ fields: ['missing', 'gone', 'msg'] }), record)).toBe('{"gone":null,"msg":"boom"}');
      expect(run(json({ fields: ['missing'] }), record)).toBe('{}');
    });

    it('keeps the given order even for integer-like keys', () => {
      expect(run(json({ fields: ['b', '0'] }), '{"0":"zero","b":"bee"}')).toBe('{"b":"bee","0":"zero"}');
    });

    it('selects objects whole and writes them as JSON', () => {
      expect(run(json({ fields: ['req'] }), record)).toBe('{"req":{"status":500,"path":"/a"}}');
    });

    it('writes a field selected twice once', () => {
      expect(run(json({ fields: ['level', 'level'] }), record)).toBe('{"level":"error"}');
    });

    it('applies where before fields, and fields may leave out the where fields', () => {
      const p = json({ where: [['level', 'error']], fields: ['msg'] });
      expect(run(p, record)).toBe('{"msg":"boom"}');
      expect(run(p, JSON.stringify({ level: 'info', msg: 'fine' }))).toBeNull();
    });
  });

  it.each([
    [{ where: [['', 'x']] as const }, /where must hold conditions \('level!=info'\) or \[field, value\] pairs of strings/],
    [{ where: ['level'] }, /^--where 'level': expected FIELD=VALUE/],
    [{ fields: [''] }, /fields must be non-empty strings/],
  ])('rejects the options %o', (options, message) => {
    expect(() => json(options)).toThrow(expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: expect.stringMatching(message) }));
  });
});

describe('parseFields', () => {
  it.each([
    ['level', ['level']],
    ['level,msg,req.status', ['level', 'msg', 'req.status']],
    [' level , msg ', ['level', 'msg']],
  ])('splits %j at commas and trims each name', (spec, expected) => {
    expect(parseFields(spec)).toEqual(expected);
  });

  it.each(['', ' ', 'a,,b', 'a,', ',a'])('rejects %j naming --fields', (spec) => {
    expect(() => parseFields(spec)).toThrow(
      expect.objectContaining({ code: 'ERR_TAIL_OPTION', message: expect.stringMatching(/^--fields expects a comma-separated list of field names/) }),
    );
  });
});
