/** One line the server holds for pages: its sequence number, where it was read from, its file and text. @internal */
export interface HeldLine {
  readonly seq: number;
  readonly position: string;
  readonly source: string;
  readonly text: string;
}

/**
 * The last lines served, for pages that connect or reconnect: at most `maxLines` of them and about
 * `maxBytes` of text (the newest line is always kept). Sequence numbers start at 1 and have no gaps, so
 * a line is found by its number in O(1) and what fell out is counted by subtraction.
 * @internal
 * @example
 * ```ts
 * const ring = new Ring(2, 1 << 20);
 * ring.push('f:1', 'a.log', 'one'); ring.push('f:2', 'a.log', 'two'); ring.push('f:3', 'a.log', 'three');
 * ring.oldest; // 2 (line 1 fell out)
 * ```
 */
export class Ring {
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private items: (HeldLine | undefined)[] = [];
  /** Index in `items` of the oldest line held. */
  private head = 0;
  private bytes = 0;
  /** The sequence number of the newest line (0: none yet). */
  newest = 0;

  constructor(maxLines: number, maxBytes: number) {
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
  }

  /** The sequence number of the oldest line held (newest + 1 when none is). */
  get oldest(): number {
    return this.newest - (this.items.length - this.head) + 1;
  }

  push(position: string, source: string, text: string): HeldLine {
    const line = { seq: ++this.newest, position, source, text };
    this.items.push(line);
    this.bytes += size(line);
    while (this.items.length - this.head > 1 && (this.items.length - this.head > this.maxLines || this.bytes > this.maxBytes)) {
      this.bytes -= size(this.items[this.head]!);
      this.items[this.head++] = undefined;
    }
    // Compacts once the dropped slots are as many as the held ones: amortised O(1) a line.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return line;
  }

  /** The line numbered `seq`, if it is held. */
  at(seq: number): HeldLine | undefined {
    return seq < this.oldest || seq > this.newest ? undefined : this.items[this.head + seq - this.oldest];
  }
}

/** What a held line costs, about: its text and names (UTF-16, 2 bytes a unit) and the record. */
function size(line: HeldLine): number {
  return 2 * (line.text.length + line.position.length + line.source.length) + 64;
}
