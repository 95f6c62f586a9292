import type { Hono } from 'hono';
import { z } from 'zod';
import {
  loadWorkspaceCedarPolicies,
  saveWorkspaceCedarPolicies,
  type WorkspaceCedarPolicies,
} from '../../policy/cedar/workspace-cedar-policies.ts';
import type { SqlClient } from '../../store/sql-client.ts';
import type { AppEnv } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson } from '../validate.ts';

const putBody = z.strictObject({ policies: z.string().max(200_000) });

const view = (stored: WorkspaceCedarPolicies) => ({
  policies: stored.text,
  ids: Object.keys(stored.policies),
  updatedAt: stored.updatedAt,
});

/**
 * `GET|PUT /api/policies/cedar` (admin): the workspace's own Cedar policies, evaluated with the shipped
 * ones. A PUT replaces them after validating against the schema; text that does not validate changes nothing.
 */
export function cedarPolicyRoutes(db: SqlClient, api: Hono<AppEnv>): void {
  api.get('/policies/cedar', authorizeAction('policies.manage'), async (c) =>
    c.json(view(await loadWorkspaceCedarPolicies(db, c.get('principal').workspaceId))),
  );
  api.put('/policies/cedar', authorizeAction('policies.manage'), async (c) => {
    const body = await readJson(c, putBody);
    const principal = c.get('principal');
    const saved = await saveWorkspaceCedarPolicies(db, {
      workspaceId: principal.workspaceId,
      text: body.policies,
      updatedBy: principal.userId,
    });
    return c.json(view(saved));
  });
}
