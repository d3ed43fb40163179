// Test data: log files of ~100-byte lines, deterministic, with exactly 1 % ERROR lines.
import { openSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MB } from './common.mjs';

const LEVELS = ['INFO ', 'INFO ', 'INFO ', 'DEBUG', 'INFO ', 'WARN ', 'INFO ', 'DEBUG'];
const PATHS = ['/api/v1/items', '/api/v1/users/me', '/healthz', '/api/v2/orders?page=3', '/static/app.js', '/login'];
const WORKERS = ['w-01', 'w-02', 'w-03', 'w-04'];

/** The pattern that keeps exactly 1 % of the lines (used with --grep and grep). */
export const GREP_PATTERN = 'ERROR';

/** True for the lines that carry the ERROR level: 1 in 100. */
export const isErrorLine = (seq) => seq % 100 === 37;

function pad(n, width) {
  return String(n).padStart(width, '0');
}

/**
 * Line number `seq` (0-based), with its newline: about 100 bytes, ASCII, the word ERROR only on the
 * 1 % of lines for which {@link isErrorLine} holds.
 */
export function logLine(seq) {
  const ms = seq * 7;
  const s = Math.floor(ms / 1000);
  const time = `2024-05-01T${pad(Math.floor(s / 3600) % 24, 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}.${pad(ms % 1000, 3)}Z`;
  const level = isErrorLine(seq) ? 'ERROR' : LEVELS[seq % LEVELS.length];
  const path = PATHS[(seq * 7) % PATHS.length];
  const status = isErrorLine(seq) ? 500 : 200;
  const dur = (seq * 13) % 997;
  // 24 + 1 + 5 + 1 + 6 + ... : the id pads the line towards 100 bytes whatever the path's length.
  const head = `${time} ${level} [${WORKERS[seq % 4]}] GET ${path} status=${status} dur=${dur}ms`;
  const tail = ` seq=${pad(seq, 10)}`;
  const fill = Math.max(1, 99 - head.length - tail.length);
  return head + ' ' + 'x'.repeat(fill - 1) + tail + '\n';
}

const BLOCK_LINES = 10_000;
let template;

/**
 * The first {@link BLOCK_LINES} lines as one buffer, with where each line starts and where its 10
 * sequence digits are: later blocks are copies with the digits rewritten (fast enough for 1 GB).
 */
function blockTemplate() {
  if (template) return template;
  const lines = [];
  for (let i = 0; i < BLOCK_LINES; i++) lines.push(logLine(i));
  const buf = Buffer.from(lines.join(''), 'latin1');
  const starts = new Int32Array(BLOCK_LINES + 1);
  const digits = new Int32Array(BLOCK_LINES);
  let pos = 0;
  let grepLines = 0;
  let grepBytes = 0;
  for (let i = 0; i < BLOCK_LINES; i++) {
    starts[i] = pos;
    digits[i] = pos + lines[i].length - 11; // 10 digits, then the newline
    if (isErrorLine(i)) {
      grepLines++;
      grepBytes += lines[i].length;
    }
    pos += lines[i].length;
  }
  starts[BLOCK_LINES] = pos;
  template = { buf, starts, digits, grepLines, grepBytes };
  return template;
}

/** Writes the decimal digits of `n` (< 1e10) into buf[at .. at+10), zero-padded. */
function putSeq(buf, at, n) {
  for (let k = at + 9; k >= at; k--) {
    buf[k] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/**
 * Writes a log of at least `bytes` bytes (whole lines, about 100 bytes each, numbered by `seq=`) to
 * `path`. Returns its size, line count, and the count and size of its ERROR lines (exactly 1 %).
 */
export function writeLog(path, bytes) {
  const t = blockTemplate();
  const fd = openSync(path, 'w');
  let size = 0;
  let lines = 0;
  let grepLines = 0;
  let grepBytes = 0;
  try {
    for (let block = 0; size < bytes; block++) {
      const buf = Buffer.from(t.buf);
      for (let i = 0; i < BLOCK_LINES; i++) putSeq(buf, t.digits[i], block * BLOCK_LINES + i);
      let n = BLOCK_LINES;
      if (size + buf.length >= bytes) {
        // The last block: only as many lines as needed to reach `bytes`.
        n = 0;
        while (size + t.starts[n] < bytes) n++;
      }
      writeSync(fd, buf, 0, t.starts[n]);
      for (let i = 0; i < n; i++) {
        if (isErrorLine(i)) {
          grepLines++;
          grepBytes += t.starts[i + 1] - t.starts[i];
        }
      }
      size += t.starts[n];
      lines += n;
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes: size, lines, grepLines, grepBytes };
}

/** `count` small files (one line each) in a new directory `dir`, for the idle workload. */
export function writeQuietFiles(dir, count) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const fd = openSync(join(dir, `f${pad(i, 4)}.log`), 'w');
    writeSync(fd, logLine(i));
    closeSync(fd);
  }
}
