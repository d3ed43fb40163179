import { spawn, type ChildProcess } from 'node:child_process';
import { afterEveryTest } from './after-each.js';

const writers: ChildProcess[] = [];
afterEveryTest('processes', () => {
  for (const child of writers.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * A writer in another process appending `total` numbered lines (`line 000001`…), `perTick` every 10 ms;
 * resolves when it is done (killed after the test if still running).
 */
export function startWriter(file: string, total: number, perTick: number): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a'); let n = 1;
     const timer = setInterval(() => {
       let chunk = '';
       for (let i = 0; i < ${perTick} && n <= ${total}; i++) chunk += 'line ' + String(n++).padStart(6, '0') + '\\n';
       fs.writeSync(fd, chunk);
       if (n > ${total}) { clearInterval(timer); fs.closeSync(fd); }
     }, 10);`,
    file,
  ]);
  writers.push(child);
  return new Promise((resolve, reject) => child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`the writer ended with ${code ?? signal}`)))));
}
