import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import { type EntityJson, isAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { type CedarEntity, ROLE_ENTITIES } from './cedar/cedar-entities.ts';
import type { CedarAction } from './cedar/cedar-schema.ts';
import { DEFAULT_CEDAR_POLICIES } from './cedar/default-policies.ts';

export interface AuthorizationRequest {
  principal: CedarEntity;
  action: CedarAction;
  resource: CedarEntity;
  context?: Record<string, CedarValueJson>;
  /** Further entities the policies may look at (a user an agent acts for, …). */
  entities?: readonly CedarEntity[];
  /** A workspace's own policies by id (`workspace-cedar-policies.ts`), evaluated with the defaults. */
  workspacePolicies?: Readonly<Record<string, string>>;
}

export interface Decision {
  allowed: boolean;
  /** The ids of the policies that decided: the permits that allowed, or the forbids that denied. */
  reasons: string[];
  /** Policies that failed to evaluate (they are skipped, as Cedar does) or a request Cedar refused. */
  errors: string[];
}

function toEntityJson(entity: CedarEntity): EntityJson {
  return {
    uid: { type: entity.type, id: entity.id },
    attrs: entity.attrs ?? {},
    parents: (entity.parents ?? []).map((parent) => ({ type: parent.type, id: parent.id })),
  };
}

function entitySlice(request: AuthorizationRequest): EntityJson[] {
  const seen = new Set<string>();
  const slice: EntityJson[] = [];
  for (const entity of [request.principal, request.resource, ...(request.entities ?? []), ...ROLE_ENTITIES]) {
    const key = `${entity.type}::${JSON.stringify(entity.id)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    slice.push(toEntityJson(entity));
  }
  return slice;
}

/**
 * The one authorization decision: the shipped policies plus the workspace's, evaluated by Cedar.
 * Default deny; a matching `forbid` wins over any `permit`.
 */
export function authorize(request: AuthorizationRequest): Decision {
  const answer = isAuthorized({
    principal: { type: request.principal.type, id: request.principal.id },
    action: { type: 'Action', id: request.action },
    resource: { type: request.resource.type, id: request.resource.id },
    context: request.context ?? {},
    policies: { staticPolicies: { ...request.workspacePolicies, ...DEFAULT_CEDAR_POLICIES } },
    entities: entitySlice(request),
  });
  if (answer.type === 'failure') {
    return { allowed: false, reasons: [], errors: answer.errors.map((error) => error.message) };
  }
  const { decision, diagnostics } = answer.response;
  return {
    allowed: decision === 'allow',
    reasons: diagnostics.reason,
    errors: diagnostics.errors.map((error) => `${error.policyId}: ${error.error.message}`),
  };
}
