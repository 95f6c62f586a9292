import type { AuditAnchor } from './audit-anchor.ts';
import type { AuditProblem } from './verify-audit.ts';

/** What the verification report says about the anchor it was checked against. */
export interface AnchorSummary {
  file: string;
  /** Valid records in the file. */
  checkpoints: number;
  /** The highest seq the anchor records; 0 when it records none. */
  lastSeq: number;
}

/**
 * Compares the chain, entry by entry as verify walks it, with the checkpoints an anchor file recorded:
 * an anchored seq must still hold the anchored hash, and its checkpoint row must still exist.
 */
export class AnchorCheck {
  readonly #anchor: AuditAnchor;
  /** Anchored hashes by seq (several processes may have anchored the same seq). */
  readonly #bySeq = new Map<number, { hash: string; at: string }[]>();
  readonly #present = new Set<number>();
  readonly #diverged = new Set<number>();
  readonly #problems: AuditProblem[] = [];

  constructor(anchor: AuditAnchor) {
    this.#anchor = anchor;
    for (const record of anchor.records) {
      const list = this.#bySeq.get(record.seq) ?? [];
      if (!list.some((known) => known.hash === record.hash)) list.push({ hash: record.hash, at: record.at });
      this.#bySeq.set(record.seq, list);
    }
    for (const defect of anchor.defects)
      this.#problems.push({ kind: 'anchor_invalid', seq: 0, message: `${anchor.file}: ${defect.message}` });
  }

  entry(seq: number, hash: string): void {
    const anchored = this.#bySeq.get(seq);
    if (anchored === undefined) return;
    this.#present.add(seq);
    for (const record of anchored) {
      if (record.hash === hash) continue;
      this.#diverged.add(seq);
      this.#problems.push({
        kind: 'anchor_diverged',
        seq,
        message: `Entry ${seq} differs from the checkpoint anchored at ${record.at} (hash ${record.hash.slice(0, 12)}…, now ${hash.slice(0, 12)}…): the log was rewritten`,
      });
    }
  }

  /** The problems found, once the walk has seen every entry; `checkpointSeqs` are the rows in the database. */
  finish(
    lastSeq: number,
    checkpointSeqs: ReadonlySet<number>,
  ): { problems: AuditProblem[]; summary: AnchorSummary } {
    const problems = [...this.#problems];
    let last = 0;
    let firstBeyond = Number.POSITIVE_INFINITY;
    let beyond = 0;
    for (const [seq, records] of this.#bySeq) {
      last = Math.max(last, seq);
      if (seq > lastSeq) {
        beyond += 1;
        firstBeyond = Math.min(firstBeyond, seq);
      } else if (!this.#present.has(seq)) {
        problems.push({
          kind: 'anchor_missing',
          seq,
          message: `Entry ${seq}, anchored at ${records[0]?.at}, is missing from the log`,
        });
      } else if (!this.#diverged.has(seq) && !checkpointSeqs.has(seq)) {
        problems.push({
          kind: 'anchor_checkpoint_removed',
          seq,
          message: `The signed checkpoint at seq ${seq}, anchored at ${records[0]?.at}, was removed from the database`,
        });
      }
    }
    if (beyond > 0) {
      const at = this.#bySeq.get(last)?.[0]?.at;
      const which =
        beyond === 1 ? `checkpoint seq ${last}` : `${beyond} checkpoints (seq ${firstBeyond}..${last})`;
      problems.push({
        kind: 'anchor_missing',
        seq: last,
        message: `The anchor records ${which}, the last at ${at}, but the log ends at ${lastSeq}: newest entries were removed`,
      });
    }
    return {
      problems,
      summary: { file: this.#anchor.file, checkpoints: this.#anchor.records.length, lastSeq: last },
    };
  }
}
