import {
  checkParsePolicySet,
  type DetailedError,
  policySetTextToParts,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { SqlClient } from '../../../core/store/sql-client.ts';
import { canonicalToolNamesInCedar } from '../../../core/tools/tool-name.ts';
import { CEDAR_SCHEMA } from './cedar-schema.ts';

export interface WorkspaceCedarPolicies {
  /** The text as the admin wrote it ('' when the workspace has none). */
  text: string;
  /** Each policy by id: `workspace.<@id annotation>`, else `workspace.policy<n>` in order of appearance. */
  policies: Record<string, string>;
  updatedAt: Date | null;
}

const ID_ANNOTATION = /@id\(\s*"([^"\\]{1,100})"\s*\)/;

function describe(error: DetailedError): string {
  return error.help === null ? error.message : `${error.message} (${error.help})`;
}

/** Splits policy text into policies with stable ids; Cedar's messages when it does not parse. */
function splitPolicies(text: string): { policies: Record<string, string> } | { errors: string[] } {
  const parts = policySetTextToParts(text);
  if (parts.type === 'failure') return { errors: parts.errors.map(describe) };
  if (parts.policy_templates.length > 0) return { errors: ['policy templates are not supported'] };
  const policies: Record<string, string> = {};
  parts.policies.forEach((policy, index) => {
    const annotated = ID_ANNOTATION.exec(policy)?.[1];
    let id = `workspace.${annotated ?? `policy${index}`}`;
    if (id in policies) id = `${id}.${index}`;
    policies[id] = policy;
  });
  return { policies };
}

const compiled = new Map<string, Record<string, string>>();

/** The policies of a stored text (validated when it was saved), tool names in the current spelling, cached by text. */
export function compileWorkspacePolicies(text: string): Record<string, string> {
  const hit = compiled.get(text);
  if (hit !== undefined) return hit;
  const split = splitPolicies(canonicalToolNamesInCedar(text));
  const policies = 'policies' in split ? split.policies : {};
  if (compiled.size >= 200) compiled.clear();
  compiled.set(text, policies);
  return policies;
}

/** Parses and validates policy text against the schema: the policies, or every message Cedar gave. */
export function validateCedarPolicies(
  text: string,
): { ok: true; policies: Record<string, string> } | { ok: false; errors: string[] } {
  const parsed = checkParsePolicySet({ staticPolicies: text });
  if (parsed.type === 'failure') return { ok: false, errors: parsed.errors.map(describe) };
  const split = splitPolicies(canonicalToolNamesInCedar(text));
  if ('errors' in split) return { ok: false, errors: split.errors };
  const answer = validate({ schema: CEDAR_SCHEMA, policies: { staticPolicies: split.policies } });
  if (answer.type === 'failure') return { ok: false, errors: answer.errors.map(describe) };
  if (answer.validationErrors.length > 0) {
    return {
      ok: false,
      errors: answer.validationErrors.map((error) => `${error.policyId}: ${describe(error.error)}`),
    };
  }
  return { ok: true, policies: split.policies };
}

export async function loadWorkspaceCedarPolicies(
  db: SqlClient,
  workspaceId: string,
): Promise<WorkspaceCedarPolicies> {
  const { rows } = await db.query<{ policies: string; updated_at: Date }>(
    'SELECT policies, updated_at FROM workspace_cedar_policies WHERE workspace_id = $1',
    [workspaceId],
  );
  const row = rows[0];
  if (row === undefined) return { text: '', policies: {}, updatedAt: null };
  return { text: row.policies, policies: compileWorkspacePolicies(row.policies), updatedAt: row.updated_at };
}

/** Replaces a workspace's policies; text that does not validate is refused (`request.invalid`) and nothing changes. */
export async function saveWorkspaceCedarPolicies(
  db: SqlClient,
  input: { workspaceId: string; text: string; updatedBy: string | null },
): Promise<WorkspaceCedarPolicies> {
  const checked = validateCedarPolicies(input.text);
  if (!checked.ok) {
    throw new AgentOsError(
      'request.invalid',
      `The Cedar policies do not validate: ${checked.errors.join('; ')}`,
      { errors: checked.errors },
    );
  }
  const { rows } = await db.query<{ updated_at: Date }>(
    `INSERT INTO workspace_cedar_policies (workspace_id, policies, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id) DO UPDATE
       SET policies = EXCLUDED.policies, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING updated_at`,
    [input.workspaceId, input.text, input.updatedBy],
  );
  return { text: input.text, policies: checked.policies, updatedAt: rows[0]?.updated_at ?? null };
}
