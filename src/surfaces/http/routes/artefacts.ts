import { Hono } from 'hono';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { getArtefact } from '../../../core/tools/artefacts.ts';
import { looseObject } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { authorizedRun } from '../run-authorization.ts';

/** Large tool outputs, stored whole; the run's conversation holds only their summary and id. */
export function artefactRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/artefacts/:id',
      resource: 'artefact',
      summary: 'Get an artefact a run produced',
      tags: ['artefacts'],
      responses: { 200: { description: 'The artefact', schema: looseObject } },
    },
    async (c, { params }) => {
      const artefact = await getArtefact(deps.store, c.get('principal').workspaceId, params.id);
      // An artefact is its run's: readable by whoever may read the run (one made outside a run: admins).
      const hidden = new AgentOsError('resource.not_found', `No artefact "${params.id}" in this workspace`);
      if (artefact.runId === null) {
        if (c.get('principal').role !== 'admin') throw hidden;
      } else {
        await authorizedRun(c, deps.store, artefact.runId).catch((error: unknown) => {
          throw error instanceof AgentOsError && error.code === 'run.not_found' ? hidden : error;
        });
      }
      return c.json({ artefact });
    },
  );
  return api;
}
