/**
 * The churn model's oracle: compares what a follower printed with the writer's manifest.
 *
 * Rules (issue 10): every line written comes out exactly once and unmodified; lines of one generation
 * come out in the order they were written; generations come out in order: a line written to an older
 * generation before a newer one was created comes out before every line of the newer one. The allowed
 * losses: a generation that no look could ever see (deleted before the follower looked at the name, all
 * of its lines missing, and said so in a notice); and lines written through the old descriptor of a file
 * that left the name after it had been quiet for longer than the follower's grace period (`rotateWait`:
 * a file is read for that long after the later of its last growth and its leaving, the documented
 * contract), which only a writer starved between two system calls does here.
 */

export interface ManifestGen {
  readonly id: number;
  readonly ino: number;
  /** What became of it: still at the name, renamed to a rotated name, or deleted. */
  readonly fate: 'name' | 'renamed' | 'deleted';
  readonly path: string;
  /** Write sequence number at which the writer switched to it. */
  readonly createdAt: number;
}

export interface ManifestLine {
  readonly text: string;
  readonly gen: number;
  readonly seq: number;
  /** Written through the old descriptor after its file left the name, that many ms after it went quiet (see writer.mjs). */
  readonly lateQuiet?: number;
}

export interface Manifest {
  readonly gens: readonly ManifestGen[];
  readonly lines: readonly ManifestLine[];
  readonly trace: readonly string[];
}

export interface Verdict {
  readonly written: number;
  readonly lost: string[];
  readonly duplicated: string[];
  readonly unknown: string[];
  readonly outOfOrder: string[];
  /** Generations deleted before any look, all lines missing, covered by a notice: allowed. */
  readonly unseen: number[];
  /** Lines written to a file that had left the name after it was quiet for longer than the grace period, missing: allowed. */
  readonly beyondGrace: string[];
  readonly ok: boolean;
}

/** A notice that says a generation of the name may have been missed. */
export const MISSED_NOTICE = /may have been missed/;

/** `graceMs`: the follower's rotateWait. */
export function check(manifest: Manifest, output: readonly string[], notices: readonly string[], graceMs: number): Verdict {
  const byText = new Map<string, ManifestLine>();
  for (const line of manifest.lines) byText.set(line.text, line);
  const position = new Map<string, number>();
  const duplicated: string[] = [];
  const unknown: string[] = [];
  output.forEach((text, i) => {
    if (!byText.has(text)) unknown.push(text);
    else if (position.has(text)) duplicated.push(text);
    else position.set(text, i);
  });

  const missedNotice = notices.some((n) => MISSED_NOTICE.test(n));
  const unseen: number[] = [];
  const lost: string[] = [];
  const beyondGrace: string[] = [];
  for (const gen of manifest.gens) {
    const own = manifest.lines.filter((l) => l.gen === gen.id);
    const missing = own.filter((l) => !position.has(l.text));
    if (missing.length === 0) continue;
    if (missing.length === own.length && gen.fate === 'deleted' && missedNotice) unseen.push(gen.id);
    else
      for (const l of missing) {
        if ((l.lateQuiet ?? 0) > graceMs) beyondGrace.push(`${l.text} (g${gen.id}, ${gen.fate}, written ${l.lateQuiet} ms after it went quiet)`);
        else lost.push(`${l.text} (g${gen.id}, ${gen.fate})`);
      }
  }

  const outOfOrder: string[] = [];
  // Within a generation: in write order.
  const lastOfGen = new Map<number, { pos: number; text: string }>();
  for (const line of manifest.lines) {
    const pos = position.get(line.text);
    if (pos === undefined) continue;
    const last = lastOfGen.get(line.gen);
    if (last && last.pos > pos) outOfOrder.push(`${line.text} came before ${last.text} (same generation)`);
    lastOfGen.set(line.gen, { pos, text: line.text });
  }
  // Across generations: what an older generation held when a newer one was created comes out first.
  for (const newer of manifest.gens) {
    const own = manifest.lines.filter((l) => l.gen === newer.id && position.has(l.text));
    if (own.length === 0) continue;
    const first = Math.min(...own.map((l) => position.get(l.text)!));
    for (const line of manifest.lines) {
      if (line.gen >= newer.id || line.seq >= newer.createdAt) continue;
      const pos = position.get(line.text);
      if (pos !== undefined && pos > first) {
        outOfOrder.push(`${line.text} (g${line.gen}) came after the first line of g${newer.id}`);
        break;
      }
    }
  }

  return {
    written: manifest.lines.length,
    lost,
    duplicated,
    unknown,
    outOfOrder,
    unseen,
    beyondGrace,
    ok: lost.length === 0 && duplicated.length === 0 && unknown.length === 0 && outOfOrder.length === 0,
  };
}

/** The lines a verdict needs before the follower can be stopped: all but those of unseen generations. */
export function expectedCount(manifest: Manifest): number {
  return manifest.lines.length;
}

/** A few lines of a verdict for a failure message. */
export function describe(verdict: Verdict, manifest: Manifest): string {
  const show = (what: string, items: readonly string[]) =>
    items.length === 0 ? '' : `\n${what}: ${items.length}\n  ${items.slice(0, 8).join('\n  ')}`;
  return (
    `written ${verdict.written}, lost ${verdict.lost.length}, duplicated ${verdict.duplicated.length}, ` +
    `unknown ${verdict.unknown.length}, out of order ${verdict.outOfOrder.length}, unseen generations ${verdict.unseen.length}, ` +
    `late lines beyond the grace period ${verdict.beyondGrace.length}` +
    show('lost', verdict.lost) +
    show('duplicated', verdict.duplicated) +
    show('unknown', verdict.unknown) +
    show('out of order', verdict.outOfOrder) +
    `\nwriter trace (last 40):\n  ${manifest.trace.slice(-40).join('\n  ')}`
  );
}
