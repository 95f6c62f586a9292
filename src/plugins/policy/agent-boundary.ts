import type { Principal } from '../../core/identity/api-keys.ts';
import { getVisibleSpace } from '../../core/identity/space-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { assertWithinBoundary } from './org-boundary.ts';
import { loadPolicy } from './policy-settings.ts';

/**
 * A builder places an agent only in a space they see, and grants only what the workspace's boundary
 * allows (the gate checks every call again, since the boundary can narrow after the agent is saved).
 */
export async function assertAgentWithinBoundary(
  store: SqlClient,
  principal: Principal,
  definition: {
    tools?: readonly string[] | undefined;
    space?: string | undefined;
    knowledge?: readonly string[] | undefined;
  },
): Promise<void> {
  const space =
    definition.space === undefined ? undefined : await getVisibleSpace(store, principal, definition.space);
  const { settings } = await loadPolicy(store, principal.workspaceId);
  assertWithinBoundary(settings.boundary, {
    ...(definition.tools === undefined ? {} : { tools: definition.tools }),
    ...(definition.knowledge === undefined ? {} : { sources: definition.knowledge }),
    space: space?.name,
  });
}
