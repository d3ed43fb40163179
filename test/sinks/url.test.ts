import { describe, expect, it } from 'vitest';
import { sinkFromUrl } from '../../src/index.js';
import { compileTemplate, subjectToken, subjectWildcard } from '../../src/sinks/template.js';
import { backoff, retryPolicy } from '../../src/sinks/retry.js';

describe('sinkFromUrl()', () => {
  it.each([
    ['redis://127.0.0.1:6379/0?stream=logs:{host}:{file}', 'redis://127.0.0.1:6379/0'],
    ['redis://:s3cret@db.example/2?stream=logs:{host}&ids=auto&maxlen=100000', 'redis://:***@db.example/2'],
    ['rediss://db.example:6380', 'rediss://db.example:6380'],
    ['redis+unix:///run/redis/redis.sock?stream={file}&db=3&timeout=5000&writes=pipeline', 'redis+unix:///run/redis/redis.sock'],
    ['nats://127.0.0.1:4222?subject=logs.{host}.{file}&stream=LOGS', 'nats://127.0.0.1:4222'],
    ['nats://user:pw@nats.example?subject=logs.{file}&lines=100', 'nats://user:***@nats.example'],
  ])('takes %s (named %s in messages)', (url, name) => {
    expect(sinkFromUrl(url).name).toBe(name);
  });

  it.each([
    ['ftp://x', "unknown scheme 'ftp:'"],
    ['not a url', 'expected redis://, rediss://, redis+unix:// or nats://'],
    ['http://localhost', "unknown scheme 'http:'"],
    ['redis://h?bogus=1', "unknown parameter 'bogus' (known: stream, ids, maxlen, timeout, writes)"],
    ['redis://h?writes=xadd', "writes must be 'script' or 'pipeline', not 'xadd'"],
    ['redis://h/x', "the path must be a database number, not '/x'"],
    ['redis://h?maxlen=-3', "maxlen must be a whole number >= 1, not '-3'"],
    ['redis://h?ids=sometimes', "ids must be 'file' or 'auto', not 'sometimes'"],
    ['redis://h?stream=logs:{host}&ids=file', "ids 'file' needs {file} in the stream name (one stream per file), not 'logs:{host}'"],
    ['redis://h?stream=logs:{pid}', "stream 'logs:{pid}': unknown placeholder {pid} (known: {host}, {file})"],
    ['redis+unix://host/sock', 'expected redis+unix:///path/to/redis.sock'],
    ['redis+unix:///s.sock?db=x', "db must be a whole number >= 0, not 'x'"],
    ['nats://h?lines=0', "lines must be a whole number >= 1, not '0'"],
    ['nats://h?stream=a.b', "stream must be a name without white space, '.', '*', '>', '/' or '\\', not 'a.b'"],
    ['nats://h?maxlen=3', "unknown parameter 'maxlen' (known: subject, stream, lines, timeout)"],
  ])('refuses %s: %s', (url, why) => {
    expect(() => sinkFromUrl(url)).toThrow(`invalid sink URL '${url}': ${why}`);
    expect(() => sinkFromUrl(url)).toThrow(expect.objectContaining({ code: 'ERR_TAIL_OPTION' }));
  });
});

describe('stream and subject templates', () => {
  it('replaces {host} and {file}', () => {
    const t = compileTemplate('logs:{host}:{file}', 'stream');
    expect(t.perFile).toBe(true);
    expect(t.expand('web-1', '/var/log/app.log')).toBe('logs:web-1:/var/log/app.log');
    expect(compileTemplate('logs:{host}', 'stream').perFile).toBe(false);
  });

  it('makes each value one subject token, and the stream take every subject of the template', () => {
    const t = compileTemplate('logs.{host}.{file}', 'subject', subjectToken);
    expect(t.expand('web.1', '/var/log/app.log')).toBe('logs.web_1./var/log/app_log');
    expect(t.expand('h', 'a b*c>d')).toBe('logs.h.a_b_c_d');
    expect(subjectWildcard(t)).toBe('logs.*.*');
    expect(subjectWildcard(compileTemplate('x.{host}-{file}.y', 'subject', subjectToken))).toBe('x.*.y');
  });
});

describe('retry backoff', () => {
  const policy = retryPolicy({ minDelay: 100, maxDelay: 5_000 });

  it('doubles from minDelay up to maxDelay, drawn between half and all of it', () => {
    expect([1, 2, 3, 6, 7, 50, 5000].map((n) => backoff(n, policy, () => 1))).toEqual([100, 200, 400, 3_200, 5_000, 5_000, 5_000]);
    expect([1, 2, 7].map((n) => backoff(n, policy, () => 0))).toEqual([50, 100, 2_500]);
  });

  it('retries for ever by default', () => {
    expect(retryPolicy().retries).toBe(Infinity);
    expect(() => retryPolicy({ minDelay: 10, maxDelay: 5 })).toThrow('pipeTo(): retry.maxDelay must not be less than retry.minDelay');
  });
});
