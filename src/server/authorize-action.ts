import type { Context, MiddlewareHandler } from 'hono';
import { appendAudit } from '../audit/audit-log.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { Principal } from '../identity/api-keys.ts';
import { userGroupNames } from '../identity/group-repo.ts';
import { authorize } from '../policy/authorize.ts';
import { type CedarEntity, userEntity, workspaceEntity } from '../policy/cedar/cedar-entities.ts';
import type { CedarAction } from '../policy/cedar/cedar-schema.ts';
import { loadWorkspaceCedarPolicies } from '../policy/cedar/workspace-cedar-policies.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { AppEnv } from './app-env.ts';

/** The request's gate: is this principal allowed this action on this resource (default: their workspace)? */
export interface RequestAuthorizer {
  assert(action: CedarAction, resource?: CedarEntity, message?: string): Promise<void>;
}

/**
 * Decides with `policy/authorize.ts` (the shipped policies plus the workspace's, loaded once per request);
 * a denial is recorded in the audit log with the deciding policy ids and becomes 403 `auth.forbidden`.
 */
export function requestAuthorizer(
  db: SqlClient,
  principal: Principal,
  log: (message: string) => void,
): RequestAuthorizer {
  let workspacePolicies: Promise<Record<string, string>> | undefined;
  let groups: Promise<string[]> | undefined;
  return {
    async assert(action, resource = workspaceEntity(principal.workspaceId), message) {
      workspacePolicies ??= loadWorkspaceCedarPolicies(db, principal.workspaceId).then((p) => p.policies);
      groups ??= userGroupNames(db, principal.workspaceId, principal.userId);
      const decision = authorize({
        principal: userEntity({ ...principal, groups: await groups }),
        action,
        resource,
        workspacePolicies: await workspacePolicies,
      });
      if (decision.allowed) return;
      try {
        await appendAudit(db, {
          workspaceId: principal.workspaceId,
          actor: { type: 'user', id: principal.userId, keyId: principal.keyId },
          action: 'auth.denied',
          resource: { type: resource.type, id: resource.id },
          data: { action, role: principal.role, policyIds: decision.reasons, errors: decision.errors },
        });
      } catch (error) {
        log(`audit: could not record the denial of ${action}: ${(error as Error).message}`);
      }
      const why =
        decision.reasons.length > 0
          ? `it is forbidden by ${decision.reasons.join(', ')}`
          : `no policy allows it for the ${principal.role} role`;
      throw new AgentOsError('auth.forbidden', message ?? `You may not ${describeAction(action)}: ${why}`, {
        action,
        policyIds: decision.reasons,
      });
    },
  };
}

function describeAction(action: CedarAction): string {
  const [family, verb] = action.split('.');
  return verb === undefined ? action : `${verb} ${family}`;
}

/** The one gate for routes: `api.post('/agents', authorizeAction('agents.create'), …)`. */
export function authorizeAction(
  action: CedarAction,
  resourceOf?: (c: Context<AppEnv>) => CedarEntity | Promise<CedarEntity>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await c.get('authorizer').assert(action, resourceOf === undefined ? undefined : await resourceOf(c));
    await next();
  };
}
