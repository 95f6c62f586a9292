import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { type AuditCheckpoint, normalisePublicKey, verifyCheckpointSignature } from './audit-signer.ts';

export const AUDIT_ANCHOR_FILE = 'audit-anchors.log';

/** One signed checkpoint head as written to the anchor file: one JSON object per line. */
export const anchorRecordSchema = z.strictObject({
  v: z.literal(1),
  seq: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  signature: z.string().min(1),
  /** SPKI DER in base64: the key that signed, so the line can be checked on its own. */
  publicKey: z.string().min(1),
  at: z.iso.datetime(),
});
export type AnchorRecord = z.infer<typeof anchorRecordSchema>;

/** A line of the anchor file that is not a valid, correctly signed record (1-based line number). */
export interface AnchorDefect {
  line: number;
  message: string;
}

export interface AuditAnchor {
  file: string;
  records: AnchorRecord[];
  defects: AnchorDefect[];
}

/** `<home>/audit-anchors.log` unless the config names another file. */
export function auditAnchorPath(config: {
  home: string;
  audit?: { anchorFile?: string | undefined } | undefined;
}): string {
  return config.audit?.anchorFile ?? join(config.home, AUDIT_ANCHOR_FILE);
}

export function anchorRecordOf(checkpoint: AuditCheckpoint, at: Date = new Date()): AnchorRecord {
  return {
    v: 1,
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    signature: checkpoint.signature,
    publicKey: normalisePublicKey(checkpoint.publicKey) ?? checkpoint.publicKey,
    at: at.toISOString(),
  };
}

/**
 * Appends one record and fsyncs it (and, when the file is new, its directory) before returning, so a
 * checkpoint the database holds is never ahead of the anchor by more than the one being written.
 */
export async function appendAnchor(file: string, record: AnchorRecord): Promise<void> {
  const created = !existsSync(file);
  if (created) await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.write(`${JSON.stringify(record)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (created) {
    const directory = await open(dirname(file), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}

function parseLine(text: string): AnchorRecord | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  const parsed = anchorRecordSchema.safeParse(json);
  if (!parsed.success) return `is not an anchor record (${parsed.error.issues[0]?.message ?? 'invalid'})`;
  const record = parsed.data;
  if (!verifyCheckpointSignature(record, record.publicKey))
    return `has a signature that does not verify for seq ${record.seq}`;
  return record;
}

/**
 * Reads an anchor file whole, checking each line's shape and signature. A last line without its newline
 * is a write cut short by a crash and is skipped; any other bad line is a defect, reported by verify.
 */
export async function readAnchor(file: string): Promise<AuditAnchor> {
  if (!existsSync(file))
    throw new AgentOsError('resource.not_found', `Audit anchor file ${file} does not exist`);
  const records: AnchorRecord[] = [];
  const defects: AnchorDefect[] = [];
  const stream = createReadStream(file, { encoding: 'utf8' });
  let endsWithNewline = true;
  stream.on('data', (chunk) => {
    const text = String(chunk);
    if (text.length > 0) endsWithNewline = text.endsWith('\n');
  });
  let pending: { text: string; line: number } | undefined;
  const take = (entry: { text: string; line: number }, last: boolean) => {
    if (entry.text.trim() === '') return;
    const outcome = parseLine(entry.text);
    if (typeof outcome !== 'string') records.push(outcome);
    else if (!(last && !endsWithNewline))
      defects.push({ line: entry.line, message: `Line ${entry.line} of the anchor ${outcome}` });
  };
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (pending !== undefined) take(pending, false);
    line += 1;
    pending = { text, line };
  }
  if (pending !== undefined) take(pending, true);
  return { file, records, defects };
}
