/**
 * Real engines for the sink tests, run as child processes in temp directories: redis-server on a unix
 * socket with AOF on, nats-server with JetStream on a free port. Each is stopped after the test that
 * started it (SIGTERM, then SIGKILL if it lingers); a server that does not become ready is killed.
 *
 * Whether the binaries are there is decided once per run (test/helpers/servers-setup.ts): without
 * TAIL_ASYNC_REQUIRE_SERVERS=1 a missing binary skips the tests that need it (one line says so); with
 * it, those tests run and fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { inject } from 'vitest';
import { afterEveryTest } from './after-each.js';
import { tempDir } from './fs.js';
import { waitFor } from './wait.js';
import { locate, type ServerBinary } from './server-binaries.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server binaries missing on this machine (and not required: their tests are skipped). */
    skippedServers: ServerBinary[];
  }
}

/** True when the tests of `binary` are to be skipped (missing, and TAIL_ASYNC_REQUIRE_SERVERS unset). */
export function skipWithout(binary: ServerBinary): boolean {
  return inject('skippedServers').includes(binary);
}

const running = new Set<Server>();
afterEveryTest('servers', async () => {
  await Promise.all([...running].map((s) => s.stop()));
});

/** One server process: started by {@link startRedis} or {@link startNats}. */
export abstract class Server {
  protected child: ChildProcess | undefined;
  /** What the server printed (for failure messages). */
  output = '';
  readonly dir: string;

  protected constructor(dir: string) {
    this.dir = dir;
  }

  protected abstract command(): [ServerBinary, string[]];
  /** The line the server prints once it accepts connections. */
  protected abstract readonly readyLine: RegExp;

  /** Starts the server (again, after {@link stop}, on the same address and data) and waits until it is ready. */
  async start(): Promise<void> {
    const [cmd, args] = this.command();
    // Not found: spawned by name all the same, so that the failure says what is missing.
    const child = spawn(locate(cmd) ?? cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(this);
    this.output = '';
    let failed: Error | undefined;
    child.on('error', (error) => (failed = error));
    let ready = false;
    const see = (data: Buffer) => {
      this.output += data.toString();
      if (this.readyLine.test(this.output)) ready = true;
    };
    child.stdout!.on('data', see);
    child.stderr!.on('data', see);
    try {
      await waitFor(
        () => {
          if (failed) throw new Error(`cannot start ${cmd}: ${failed.message}`);
          if (child.exitCode !== null) throw new Error(`${cmd} exited with ${child.exitCode}: ${this.output}`);
          return ready;
        },
        () => `${cmd} to be ready (output: ${this.output})`,
        10_000,
        10,
      );
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** Stops the server and waits for it to exit (SIGKILL after 5 s). */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  /** Kills the server at once, as a crash would. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  private async end(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    running.delete(this);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // A frozen server (pause()) must run again to handle SIGTERM.
    child.kill('SIGCONT');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a frozen server go on (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
}

/** redis-server on a unix socket in a temp directory, AOF on, no RDB snapshots. */
export class RedisServer extends Server {
  readonly socket: string;
  protected readonly readyLine = /ready to accept connections/i;

  constructor(dir: string) {
    super(dir);
    this.socket = path.join(dir, 'redis.sock');
  }

  /** The `--sink` URL of this server. */
  url(query = ''): string {
    return `redis+unix://${this.socket}${query}`;
  }

  protected command(): [ServerBinary, string[]] {
    return [
      'redis-server',
      ['--port', '0', '--unixsocket', this.socket, '--unixsocketperm', '700', '--dir', this.dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no', '--loglevel', 'notice'],
    ];
  }
}

/** nats-server with JetStream, its store in a temp directory, on a free local port. */
export class NatsServer extends Server {
  readonly port: number;
  protected readonly readyLine = /Server is ready/;

  constructor(dir: string, port: number) {
    super(dir);
    this.port = port;
  }

  /** The client's server address. */
  get address(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The `--sink` URL of this server. */
  url(query = ''): string {
    return `${this.address}${query}`;
  }

  protected command(): [ServerBinary, string[]] {
    return ['nats-server', ['-js', '-sd', path.join(this.dir, 'store'), '-a', '127.0.0.1', '-p', String(this.port)]];
  }
}

/** Starts redis-server in a fresh temp directory; stopped after the test. */
export async function startRedis(): Promise<RedisServer> {
  const server = new RedisServer(await tempDir());
  await server.start();
  return server;
}

/** Starts nats-server with JetStream in a fresh temp directory on a free port; stopped after the test. */
export async function startNats(): Promise<NatsServer> {
  const server = new NatsServer(await tempDir(), await freePort());
  await server.start();
  return server;
}

/** A TCP port nobody listens on now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
