import type { Hono } from 'hono';
import { getArtefact } from '../../tools/artefacts.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

/** Large tool outputs, stored whole; the run's conversation holds only their summary and id. */
export function artefactRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  api.get('/artefacts/:id', async (c) =>
    c.json({ artefact: await getArtefact(deps.store, c.get('principal').workspaceId, c.req.param('id')) }),
  );
}
