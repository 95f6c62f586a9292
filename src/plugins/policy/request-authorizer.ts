import { appendAudit } from '../../core/audit-log/audit-log.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Principal } from '../../core/identity/api-keys.ts';
import { userGroupNames } from '../../core/identity/group-repo.ts';
import { visibleSpaceIds } from '../../core/identity/space-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { authorize } from './authorize.ts';
import { type CedarEntity, userEntity, workspaceEntity } from './cedar/cedar-entities.ts';
import type { CedarAction } from './cedar/cedar-schema.ts';
import { loadWorkspaceCedarPolicies } from './cedar/workspace-cedar-policies.ts';

/** The request's gate: is this principal allowed this action on this resource (default: their workspace)? */
export interface RequestAuthorizer {
  assert(action: CedarAction, resource?: CedarEntity, message?: string): Promise<void>;
  /** The decision alone, neither audited nor thrown: for filtering lists and hiding what may not be seen. */
  allows(action: CedarAction, resource: CedarEntity): Promise<boolean>;
  /**
   * As assert, but a refusal throws `missing` instead of 403: what the caller may not read does not exist for
   * them, so its id is not confirmed (the denial is still audited).
   */
  assertVisible(action: CedarAction, resource: CedarEntity, missing: AgentOsError): Promise<void>;
  /** The spaces the caller sees (read once per request): the facts Cedar gets as the user's parents. */
  visibleSpaces(): Promise<string[]>;
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
  let spaces: Promise<string[]> | undefined;
  const visibleSpaces = () => {
    spaces ??= visibleSpaceIds(db, principal);
    return spaces;
  };
  const decide = async (action: CedarAction, resource: CedarEntity) => {
    workspacePolicies ??= loadWorkspaceCedarPolicies(db, principal.workspaceId).then((p) => p.policies);
    groups ??= userGroupNames(db, principal.workspaceId, principal.userId);
    return authorize({
      principal: userEntity({
        ...principal,
        groups: await groups,
        // Only a resource of the workspace's (a run, an agent) can be in a space; the workspace itself never is.
        spaces: resource.type === 'Workspace' ? undefined : await visibleSpaces(),
      }),
      action,
      resource,
      workspacePolicies: await workspacePolicies,
    });
  };
  const authorizer: RequestAuthorizer = {
    visibleSpaces,
    allows: async (action, resource) => (await decide(action, resource)).allowed,
    async assertVisible(action, resource, missing) {
      try {
        await authorizer.assert(action, resource);
      } catch (error) {
        throw error instanceof AgentOsError && error.code === 'auth.forbidden' ? missing : error;
      }
    },
    async assert(action, resource = workspaceEntity(principal.workspaceId), message) {
      const decision = await decide(action, resource);
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
  return authorizer;
}

function describeAction(action: CedarAction): string {
  const [family, verb] = action.split('.');
  return verb === undefined ? action : `${verb} ${family}`;
}
