import { describe, expect, it } from 'vitest';
import { Ring } from '../../src/serve/ring.js';
import { isLoopback } from '../../src/serve/address.js';
import { eventId, parseEventId, samePlaceOrBefore } from '../../src/serve/event-id.js';

describe('the ring of lines held for pages', () => {
  it('keeps the newest lines within its line count, numbered without gaps, across compactions', () => {
    const ring = new Ring(3, 1 << 20);
    expect([ring.oldest, ring.newest]).toEqual([1, 0]);
    for (let i = 1; i <= 5000; i++) ring.push(`f:1:1:0:0:${i}:0`, 'a.log', `line ${i}`);
    expect([ring.oldest, ring.newest]).toEqual([4998, 5000]);
    expect([4997, 4998, 5000, 5001].map((seq) => ring.at(seq)?.text)).toEqual([undefined, 'line 4998', 'line 5000', undefined]);
  });

  it('keeps within its bytes, but always the newest line', () => {
    const ring = new Ring(1000, 1000);
    ring.push('f:1', 'a.log', 'x'.repeat(300));
    ring.push('f:2', 'a.log', 'y'.repeat(300));
    expect(ring.oldest).toBe(2);
    ring.push('f:3', 'a.log', 'z'.repeat(10_000));
    expect([ring.oldest, ring.newest]).toEqual([3, 3]);
  });
});

describe('event ids and positions', () => {
  it('reads back the ids it makes, and nothing else', () => {
    const id = eventId('Ab_-9', 42, 'f:2049:131:1732.5:1:4096:0');
    expect(parseEventId(id)).toEqual({ run: 'Ab_-9', seq: 42, position: 'f:2049:131:1732.5:1:4096:0' });
    for (const bad of [undefined, '', '42', 'run.x.f:1', 'run.1.q:1', 'a b.1.f:1']) expect(parseEventId(bad), String(bad)).toBeUndefined();
  });

  it('compares positions within one file, whatever the epoch; not across files', () => {
    expect(samePlaceOrBefore('f:1:2:3:0:100:0', 'f:1:2:3:5:100:0')).toBe(true);
    expect(samePlaceOrBefore('f:1:2:3:0:100:1', 'f:1:2:3:0:100:0')).toBe(false);
    expect(samePlaceOrBefore('f:1:2:3:0:99:4', 'f:1:2:3:0:100:0')).toBe(true);
    expect(samePlaceOrBefore('f:1:9:3:0:1:0', 'f:1:2:3:0:100:0')).toBeUndefined();
    expect(samePlaceOrBefore('s:-:10:0', 's:-:20:0')).toBe(true);
    expect(samePlaceOrBefore('s:a%3Ab:10:0', 's:-:20:0')).toBeUndefined();
  });

  it('knows the loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.4', 'example.com', '128.0.0.1']) expect(isLoopback(host), host).toBe(false);
  });
});
