import { createHash } from 'node:crypto';
import { z } from 'zod';
import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import { compileWorkspacePolicies } from './cedar/workspace-cedar-policies.ts';
import { orgBoundarySchema } from './org-boundary.ts';

/** Bumped when the gate's rules change meaning: approvals given under older rules no longer apply. */
const POLICY_RULES_VERSION = 3;

export const DEFAULT_APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

/** A workspace's policy settings (`workspace_policies`; a workspace without a row gets the defaults). */
export const policySettingsSchema = z.strictObject({
  /**
   * Off: the injection defences (approvals, flow and argument rules) let every call through, still recorded.
   * For measuring what they are worth; the boundary and Cedar forbids apply either way.
   */
  enabled: z.boolean().default(true),
  /** Which tools, MCP servers, knowledge sources and spaces agents may use at all (`org-boundary.ts`). */
  boundary: orgBoundarySchema.default({}),
  /** What a consequential call in a tainted context gets: a person's approval, or a flat denial. */
  taintedConsequential: z.enum(['ask', 'deny']).default('ask'),
  /**
   * How a tainted run's consequential calls are judged. `value`: one goes ahead unattended when every
   * security-relevant argument value comes from the task or a trusted tool's output (`argument-provenance.ts`);
   * `run`: any untrusted content in the context holds every such call for `taintedConsequential`.
   */
  flowGranularity: z.enum(['value', 'run']).default('value'),
  /**
   * `task`: each run starts with a model call that reads the task alone (before any other content) and names
   * the consequential actions it asks for with the values it states (`run-intent.ts`); a call inside that
   * intent needs no approval, and a tainted run's call naming another value asks. `off`: no such call.
   */
  intent: z.enum(['off', 'task']).default('off'),
  /**
   * Recipients, hosts and domains an `external_send` call may reach without approval (`example.com`
   * also covers its subdomains and addresses). Absent: that rule is off. It is also the egress allowlist of
   * a tainted run (`flow.egress_destination`, `egress-destinations.ts`), where absent means empty.
   */
  recipientAllowlist: z.array(z.string().min(1).max(320)).max(1_000).optional(),
  approvalTtlMs: z
    .number()
    .int()
    .min(1_000)
    .max(30 * 24 * 60 * 60 * 1000)
    .default(DEFAULT_APPROVAL_TTL_MS),
});
export type PolicySettings = z.output<typeof policySettingsSchema>;
export type PolicySettingsInput = z.input<typeof policySettingsSchema>;

/**
 * Settings plus the version an approval is bound to (rules version and a hash of the settings and of the
 * workspace's Cedar policies, so changing either invalidates approvals given before).
 */
export interface PolicySnapshot {
  settings: PolicySettings;
  version: string;
  /** The workspace's own Cedar policies by id (`cedar/workspace-cedar-policies.ts`); empty: none. */
  cedarPolicies: Readonly<Record<string, string>>;
}

export function policySnapshot(settings: PolicySettings, cedarText = ''): PolicySnapshot {
  const hash = createHash('sha256').update(JSON.stringify(settings));
  if (cedarText !== '') hash.update(`\0${cedarText}`);
  const digest = hash.digest('hex').slice(0, 16);
  return {
    settings,
    version: `${POLICY_RULES_VERSION}:${digest}`,
    cedarPolicies: cedarText === '' ? {} : compileWorkspacePolicies(cedarText),
  };
}

export async function loadPolicy(db: SqlClient, workspaceId: string): Promise<PolicySnapshot> {
  const { rows } = await db.query<{ settings: unknown; cedar: string | null }>(
    `SELECT (SELECT settings FROM workspace_policies WHERE workspace_id = $1) AS settings,
            (SELECT policies FROM workspace_cedar_policies WHERE workspace_id = $1) AS cedar`,
    [workspaceId],
  );
  return policySnapshot(policySettingsSchema.parse(rows[0]?.settings ?? {}), rows[0]?.cedar ?? '');
}

export async function savePolicy(
  db: SqlClient,
  workspaceId: string,
  input: PolicySettingsInput,
): Promise<PolicySnapshot> {
  const settings = policySettingsSchema.parse(input);
  await db.query(
    `INSERT INTO workspace_policies (workspace_id, settings) VALUES ($1, $2::jsonb)
     ON CONFLICT (workspace_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
    [workspaceId, jsonParam(settings)],
  );
  return loadPolicy(db, workspaceId);
}
