/**
 * The bytes one read of a file gave, which lines were framed from: a sink can ship a run of those lines
 * as these very bytes instead of encoding their texts again (see `sinks/raw.ts`).
 * @internal
 */
export interface ReadChunk {
  readonly bytes: Buffer;
  /** File offset of `bytes[0]`. */
  readonly offset: number;
  /** The lines were decoded as UTF-8: valid UTF-8 bytes are then their texts' encoding. */
  readonly utf8: boolean;
  /**
   * The bytes just before `offset` that belong to the first line framed from `bytes`, when it began in
   * an earlier read.
   */
  readonly before?: Buffer | undefined;
}
