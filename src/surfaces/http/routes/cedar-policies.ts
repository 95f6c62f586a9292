import { Hono } from 'hono';
import { z } from 'zod';
import {
  loadWorkspaceCedarPolicies,
  saveWorkspaceCedarPolicies,
  type WorkspaceCedarPolicies,
} from '../../../plugins/policy/cedar/workspace-cedar-policies.ts';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

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
export function cedarPolicyRoutes({ store: db }: Pick<RouteDeps, 'store'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/policies/cedar',
      resource: 'policy',
      summary: "The workspace's own Cedar policies",
      tags: ['policies'],
      action: 'policies.manage',
      responses: { 200: { description: 'The policy text and ids', schema: looseObject } },
    },
    async (c) => c.json(view(await loadWorkspaceCedarPolicies(db, c.get('principal').workspaceId))),
  );
  defineRoute(
    api,
    {
      method: 'put',
      path: '/policies/cedar',
      resource: 'policy',
      summary: "Replace the workspace's Cedar policies (validated first)",
      tags: ['policies'],
      action: 'policies.manage',
      body: putBody,
      responses: { 200: { description: 'The saved policies', schema: looseObject } },
    },
    async (c, { body }) => {
      const principal = c.get('principal');
      const saved = await saveWorkspaceCedarPolicies(db, {
        workspaceId: principal.workspaceId,
        text: body.policies,
        updatedBy: principal.userId,
      });
      return c.json(view(saved));
    },
  );
  return api;
}
