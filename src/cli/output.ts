import { isBlock, type Line } from '../lines/line.js';
import { osPath } from '../os-path.js';

/** How lines are laid out on stdout. @internal */
export interface OutputOptions {
  /** Print `==> name <==` headers when the output switches file (GNU style). */
  readonly headers: boolean;
  /** Prefix each line with `name: ` instead. */
  readonly prefix: boolean;
  /** `raw`: the line's text and terminator; `jsonl`: JSON objects. */
  readonly format: 'raw' | 'jsonl';
  /**
   * How raw lines were decoded: `latin1` keeps every byte (the output is then the file's exact bytes);
   * `utf8` when processors work on the text.
   */
  readonly encoding: 'latin1' | 'utf8';
  /** With `jsonl`: the clock for each object's `time` (when its batch was read and processed), for `--timestamp`. */
  readonly clock?: () => Date;
}

/**
 * Renders batches of lines into one buffer per batch (one write per read). In raw mode the lines were
 * decoded as latin1, so `text + eol` encoded back as latin1 gives exactly the bytes of the file, as
 * GNU tail prints them; names (UTF-8) are converted to that same byte-per-character form once.
 * @internal
 */
export class OutputWriter {
  private readonly opts: OutputOptions;
  private last: string | undefined;
  private printedAny = false;
  private readonly names = new Map<string, string>();

  constructor(options: OutputOptions) {
    this.opts = options;
  }

  /** The bytes for one batch (possibly empty). */
  render(batch: readonly Line[]): Buffer {
    if (this.opts.format === 'jsonl') return this.renderJson(batch);
    if (batch.some(isBlock)) return Buffer.concat(this.renderParts(batch));
    const out = new StringJoiner(this.opts.encoding);
    for (const line of batch) {
      if (this.opts.prefix) out.add(this.name(line.source) + ': ');
      else if (this.opts.headers && line.source !== this.last) out.add(this.headerText(line.source));
      this.last = line.source;
      out.add(line.text + line.eol);
    }
    return out.toBuffer();
  }

  /**
   * The bytes for one batch as parts to write in order, without copying {@link LineBlock}s (block mode:
   * raw, no prefix, latin1): each block's bytes as they are, headers where the file changes, and the
   * few whole lines around blocks (a line finished across two reads). Blocks are views of the read
   * buffer: the parts must be written before the next batch is asked for.
   */
  renderParts(batch: readonly Line[]): Buffer[] {
    const parts: Buffer[] = [];
    let text = '';
    for (const line of batch) {
      if (this.opts.headers && line.source !== this.last) text += this.headerText(line.source);
      this.last = line.source;
      if (!isBlock(line)) {
        text += line.text + line.eol;
        continue;
      }
      if (text !== '') parts.push(Buffer.from(text, 'latin1'));
      text = '';
      parts.push(line.bytes);
    }
    if (text !== '') parts.push(Buffer.from(text, 'latin1'));
    return parts;
  }

  /** A header for a file that is printed without lines (an empty file, no-follow), GNU style. */
  header(source: string): Buffer {
    if (!this.opts.headers || this.opts.prefix || this.opts.format === 'jsonl') return Buffer.alloc(0);
    this.last = source;
    return Buffer.from(this.headerText(source), this.opts.encoding);
  }

  private headerText(source: string): string {
    const text = `${this.printedAny ? '\n' : ''}==> ${this.name(source)} <==\n`;
    this.printedAny = true;
    return text;
  }

  /** The display name, in latin1 form (the bytes of the name, one character each) for latin1 output. */
  private name(source: string): string {
    let name = this.names.get(source);
    if (name === undefined) {
      name = source === '-' ? 'standard input' : source;
      if (this.opts.encoding === 'latin1') {
        // The name's bytes as the file system has them (also when they are not valid UTF-8).
        const bytes = osPath(name);
        name = (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('latin1');
      }
      this.names.set(source, name);
    }
    return name;
  }

  private renderJson(batch: readonly Line[]): Buffer {
    const out = new StringJoiner('utf8');
    // One reading of the clock a batch: its lines were read and processed together.
    const time = this.opts.clock?.().toISOString();
    for (const line of batch) {
      const object = { file: line.source, text: line.text, offset: line.offset, end: line.end, line: line.lineNumber };
      out.add(JSON.stringify(time === undefined ? object : { ...object, time }) + '\n');
    }
    return out.toBuffer();
  }
}

/** Characters joined into one string before it is encoded (see {@link StringJoiner}). */
const PIECE = 16 * 1024;

/**
 * Encodes many small strings into one buffer of exactly their size. The strings are joined in pieces
 * of about {@link PIECE} characters: measured on a 1 MiB batch of 100-byte lines, joining the whole batch
 * into one string cost ~430 ns a line (a string that large is allocated outside V8's young generation,
 * in fresh pages), pieces ~30 ns.
 */
class StringJoiner {
  private readonly encoding: BufferEncoding;
  private readonly pieces: string[] = [];
  private current = '';
  private bytes = 0;

  constructor(encoding: BufferEncoding) {
    this.encoding = encoding;
  }

  add(text: string): void {
    this.current += text;
    if (this.current.length >= PIECE && !endsInHighSurrogate(this.current)) this.cut();
  }

  toBuffer(): Buffer {
    this.cut();
    const out = Buffer.allocUnsafe(this.bytes);
    let at = 0;
    for (const piece of this.pieces) at += out.write(piece, at, this.encoding);
    // Sized by Buffer.byteLength, so `at` is the length; never hand out bytes that were not written.
    return at === out.length ? out : out.subarray(0, at);
  }

  private cut(): void {
    if (this.current === '') return;
    this.pieces.push(this.current);
    this.bytes += Buffer.byteLength(this.current, this.encoding);
    this.current = '';
  }
}

/** True when `text` ends with the first half of a surrogate pair: cut there, UTF-8 would get two U+FFFD. */
function endsInHighSurrogate(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
}
