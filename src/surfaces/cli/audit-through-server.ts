import { z } from 'zod';
import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { ServerRecord } from '../../core/store/server-record.ts';
import type { AuditVerification } from '../../plugins/audit/verify-audit.ts';
import { call } from '../client/agent-os-client.ts';
import type { ApiClientOptions } from './api-client.ts';
import { adminClientBeside } from './beside-server.ts';

const verificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  lastSeq: z.number().int(),
  checkpoints: z.number().int(),
  problems: z.array(
    z.object({
      kind: z.enum([
        'edited',
        'deleted',
        'reordered',
        'truncated',
        'bad_signature',
        'broken_chain',
        'anchor_missing',
        'anchor_diverged',
        'anchor_checkpoint_removed',
        'anchor_invalid',
      ]),
      seq: z.number().int(),
      message: z.string(),
    }),
  ),
  anchor: z.object({ file: z.string(), checkpoints: z.number().int(), lastSeq: z.number().int() }).optional(),
});

export interface VerifyFlags extends ApiClientOptions {
  publicKey: string[];
  anchor?: string | false;
}

/**
 * `agentos audit verify` while `agentos serve` holds the embedded store: `GET /api/audit/verify`, which
 * checks against the server's own signing key and configured anchor (an admin key is needed).
 */
export async function verifyAuditThroughServer(
  server: ServerRecord,
  flags: VerifyFlags,
  config: AgentOsConfig,
): Promise<AuditVerification> {
  if (flags.publicKey.length > 0 || typeof flags.anchor === 'string' || flags.anchor === false) {
    throw new AgentOsError(
      'request.invalid',
      `"agentos serve" (pid ${server.pid}, ${server.url}) holds the embedded store, and it verifies with its own ` +
        'key and configured anchor: drop --public-key, --anchor and --no-anchor, or stop serve to verify with them',
    );
  }
  const client = adminClientBeside(server, flags, config, 'agentos audit verify');
  const answer = await call(client.GET('/api/audit/verify'));
  const parsed = verificationSchema.safeParse(answer);
  if (!parsed.success) {
    throw new AgentOsError(
      'internal',
      `${server.url}/api/audit/verify answered a report this CLI cannot read`,
    );
  }
  const { anchor, ...report } = parsed.data;
  return anchor === undefined ? report : { ...report, anchor };
}
