import { EventEmitter, once } from 'node:events';
import { type AuditEntry, GENESIS_HASH, hashAuditEntry } from '../../core/audit-log/audit-entry.ts';
import { type AuditFilter, readAudit } from '../../core/audit-log/audit-log.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import type { AuditAnchor } from './audit-anchor.ts';
import { AnchorCheck, type AnchorSummary } from './audit-anchor-check.ts';
import { type AuditCheckpoint, normalisePublicKey, verifyCheckpointSignature } from './audit-signer.ts';

export type AuditProblemKind =
  | 'edited'
  | 'deleted'
  | 'reordered'
  | 'truncated'
  | 'bad_signature'
  | 'broken_chain'
  | 'anchor_missing'
  | 'anchor_diverged'
  | 'anchor_checkpoint_removed'
  | 'anchor_invalid';

export interface AuditProblem {
  kind: AuditProblemKind;
  seq: number;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  lastSeq: number;
  checkpoints: number;
  /** In seq order; at most MAX_PROBLEMS are listed (`ok` is false either way). */
  problems: AuditProblem[];
  /** Present when the chain was also checked against an anchor file. */
  anchor?: AnchorSummary;
}

export interface VerifyOptions {
  /** Trusted signing keys (SPKI PEM or base64 DER). Without them each checkpoint is checked against its own key. */
  publicKeys?: readonly string[] | undefined;
  pageSize?: number;
  /** Checkpoints recorded outside the database (see audit-anchor.ts): the chain must still hold each one. */
  anchor?: AuditAnchor | undefined;
  /** Called after each page with the number of entries checked so far. */
  onProgress?: (checked: number) => void;
}

const MAX_PROBLEMS = 1_000;
// Entries whose hash fails are kept to tell a moved entry from an edited one; beyond this they count as edited.
const MAX_SUSPECTS = 200;
const MAX_CANDIDATE_SEQS = 500;

interface CheckpointRow {
  seq: number;
  hash: string;
  signature: string;
  public_key: string;
}

/** Checks every signature; returns the trusted checkpoints' hashes by seq. */
async function checkCheckpoints(
  db: SqlClient,
  publicKeys: readonly string[] | undefined,
  problems: AuditProblem[],
): Promise<{ count: number; seqs: Set<number>; trusted: Map<number, string> }> {
  const { rows } = await db.query<CheckpointRow>(
    'SELECT seq, hash, signature, public_key FROM audit_checkpoints ORDER BY seq',
  );
  const pinned = publicKeys?.map(normalisePublicKey).filter((key) => key !== undefined);
  const trusted = new Map<number, string>();
  for (const row of rows) {
    const checkpoint: AuditCheckpoint = {
      seq: Number(row.seq),
      hash: row.hash,
      signature: row.signature,
      publicKey: row.public_key,
    };
    const key = normalisePublicKey(checkpoint.publicKey);
    if (pinned !== undefined && (key === undefined || !pinned.includes(key))) {
      problems.push({
        kind: 'bad_signature',
        seq: checkpoint.seq,
        message: `Checkpoint at seq ${checkpoint.seq} is signed by a key that is not trusted`,
      });
    } else if (!verifyCheckpointSignature(checkpoint, checkpoint.publicKey)) {
      problems.push({
        kind: 'bad_signature',
        seq: checkpoint.seq,
        message: `Checkpoint at seq ${checkpoint.seq} has a signature that does not verify`,
      });
    } else {
      trusted.set(checkpoint.seq, checkpoint.hash);
    }
  }
  return { count: rows.length, seqs: new Set(rows.map((row) => Number(row.seq))), trusted };
}

/**
 * Walks the whole chain in seq order, a page at a time, and reports every way it was tampered with:
 * edited entries (hash mismatch), deleted ones (seq gaps), moved ones (an entry that hashes right only
 * at another seq), a broken link (prev_hash), a cut-off tail (a signed checkpoint beyond or disagreeing
 * with the log) and forged checkpoints. Given an anchor, also a log shorter than, or different from, the
 * checkpoints it recorded — which catches a tail removed together with its checkpoint rows.
 */
export async function verifyAudit(db: SqlClient, options: VerifyOptions = {}): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const checkpoints = await checkCheckpoints(db, options.publicKeys, problems);
  const anchor = options.anchor === undefined ? undefined : new AnchorCheck(options.anchor);
  const suspects: AuditEntry[] = [];
  const candidateSeqs = new Set<number>();
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let prevIntact = true;
  let entries = 0;

  for await (const page of readAudit(db, {}, options.pageSize)) {
    for (const entry of page) {
      entries += 1;
      const gap = entry.seq > expected;
      if (gap) {
        const range = entry.seq - 1 === expected ? `${expected}` : `${expected}..${entry.seq - 1}`;
        problems.push({ kind: 'deleted', seq: expected, message: `Entries ${range} are missing` });
        for (let seq = expected; seq < entry.seq && candidateSeqs.size < MAX_CANDIDATE_SEQS; seq++)
          candidateSeqs.add(seq);
      }
      const intact = hashAuditEntry(entry) === entry.hash;
      if (!intact && suspects.length < MAX_SUSPECTS) {
        suspects.push(entry);
        candidateSeqs.add(entry.seq);
      } else if (!intact) {
        problems.push(editedProblem(entry.seq));
      } else if (!gap && prevIntact && entry.prevHash !== prevHash) {
        problems.push({
          kind: 'broken_chain',
          seq: entry.seq,
          message: `Entry ${entry.seq} does not follow entry ${entry.seq - 1}: its prev_hash differs from that entry's hash`,
        });
      }
      const signed = checkpoints.trusted.get(entry.seq);
      if (signed !== undefined && signed !== entry.hash) {
        problems.push({
          kind: 'truncated',
          seq: entry.seq,
          message: `Checkpoint at seq ${entry.seq} signed another hash: the log was cut back and rewritten from here`,
        });
      }
      anchor?.entry(entry.seq, entry.hash);
      prevHash = entry.hash;
      prevIntact = intact;
      expected = entry.seq + 1;
    }
    options.onProgress?.(entries);
  }

  const lastSeq = expected - 1;
  let beyond = 0;
  for (const seq of checkpoints.trusted.keys()) beyond = Math.max(beyond, seq);
  if (beyond > lastSeq) {
    problems.push({
      kind: 'truncated',
      seq: beyond,
      message: `A signed checkpoint covers seq ${beyond} but the log ends at ${lastSeq}: newest entries were removed`,
    });
  }
  for (const suspect of suspects) problems.push(classifySuspect(suspect, candidateSeqs));
  const anchored = anchor?.finish(lastSeq, checkpoints.seqs);
  if (anchored !== undefined) problems.push(...anchored.problems);
  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problems.length === 0,
    entries,
    lastSeq,
    checkpoints: checkpoints.count,
    problems: problems.slice(0, MAX_PROBLEMS),
    ...(anchored === undefined ? {} : { anchor: anchored.summary }),
  };
}

const editedProblem = (seq: number): AuditProblem => ({
  kind: 'edited',
  seq,
  message: `Entry ${seq} does not match its hash: it was changed after it was written`,
});

/** An entry that hashes right at another (misplaced or missing) seq was moved, not edited. */
function classifySuspect(entry: AuditEntry, candidateSeqs: ReadonlySet<number>): AuditProblem {
  for (const seq of candidateSeqs) {
    if (seq !== entry.seq && hashAuditEntry({ ...entry, seq }) === entry.hash) {
      return {
        kind: 'reordered',
        seq: entry.seq,
        message: `Entry stored at seq ${entry.seq} was written as seq ${seq}: the log was reordered`,
      };
    }
  }
  return editedProblem(entry.seq);
}

/** Anything with `write`: a Node stream (backpressure honoured) or a web-style writer returning a promise. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** Writes matching entries as JSON lines, a page at a time; resolves to the number written. */
export async function exportAuditJsonl(
  db: SqlClient,
  writable: TextSink,
  filter: AuditFilter = {},
): Promise<number> {
  let written = 0;
  for await (const page of readAudit(db, filter)) {
    const result = writable.write(page.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    if (result instanceof Promise) await result;
    else if (result === false && writable instanceof EventEmitter) await once(writable, 'drain');
    written += page.length;
  }
  return written;
}
