import type { Hono } from 'hono';
import { looseObject } from '../../openapi/common-schemas.ts';
import { getArtefact } from '../../tools/artefacts.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';

/** Large tool outputs, stored whole; the run's conversation holds only their summary and id. */
export function artefactRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  defineRoute(
    api,
    {
      method: 'get',
      path: '/artefacts/:id',
      summary: 'Get an artefact a run produced',
      tags: ['artefacts'],
      responses: { 200: { description: 'The artefact', schema: looseObject } },
    },
    async (c, { params }) =>
      c.json({ artefact: await getArtefact(deps.store, c.get('principal').workspaceId, params.id) }),
  );
}
