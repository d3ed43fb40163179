/** A Server-Sent Events client for the --serve tests: keeps every event, can stop reading, and is closed after each test. */
import { get, type IncomingMessage } from 'node:http';
import { afterEveryTest } from './after-each.js';

/** One event as the server sent it. */
export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/** An open event stream. */
export interface SseStream {
  readonly status: number;
  readonly events: SseEvent[];
  /** The lines of every default (`message`) event, as [source, text]. */
  lines(): [string, string][];
  /** The events named `name`, their data parsed. */
  named<T = unknown>(name: string): T[];
  /** The id of the last event with one. */
  lastId(): string | undefined;
  /** Resolves once the server ended the response. */
  readonly ended: Promise<void>;
  readonly response: IncomingMessage;
  close(): void;
}

const open = new Set<SseStream>();
afterEveryTest('clients', () => {
  for (const s of open) s.close();
  open.clear();
});

/** Connects to `url` with `headers`; `paused` leaves the response unread (a page that does not keep up). */
export function connectSse(url: string, headers: Record<string, string> = {}, paused = false): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      let buffer = '';
      let ended!: () => void;
      const endedP = new Promise<void>((r) => (ended = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf('\n\n'); i !== -1; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          let event = 'message';
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, id, data: data.join('\n') });
        }
      });
      res.on('end', ended);
      res.on('close', ended);
      res.on('error', ended);
      if (paused) res.pause();
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        events,
        lines: () => events.filter((e) => e.event === 'message').flatMap((e) => JSON.parse(e.data) as [string, string][]),
        named: <T>(name: string) => events.filter((e) => e.event === name).map((e) => JSON.parse(e.data) as T),
        lastId: () => events.filter((e) => e.id !== undefined).at(-1)?.id,
        ended: endedP,
        response: res,
        close: () => {
          req.destroy();
          res.destroy();
        },
      };
      open.add(stream);
      resolve(stream);
    });
    req.on('error', reject);
  });
}
