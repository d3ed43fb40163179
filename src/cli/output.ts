import type { Line } from '../lines/line.js';

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
    let out = '';
    for (const line of batch) {
      if (this.opts.prefix) out += this.name(line.source) + ': ';
      else if (this.opts.headers && line.source !== this.last) out += this.headerText(line.source);
      this.last = line.source;
      out += line.text + line.eol;
    }
    return Buffer.from(out, this.opts.encoding);
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

  /** The display name, in latin1 form (the UTF-8 bytes of the name, one character each) for latin1 output. */
  private name(source: string): string {
    let name = this.names.get(source);
    if (name === undefined) {
      name = source === '-' ? 'standard input' : source;
      if (this.opts.encoding === 'latin1') name = Buffer.from(name, 'utf8').toString('latin1');
      this.names.set(source, name);
    }
    return name;
  }

  private renderJson(batch: readonly Line[]): Buffer {
    let out = '';
    for (const line of batch) {
      out += JSON.stringify({ file: line.source, text: line.text, offset: line.offset, end: line.end, line: line.lineNumber }) + '\n';
    }
    return Buffer.from(out, 'utf8');
  }
}
