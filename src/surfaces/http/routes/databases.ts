import { Hono } from 'hono';
import { getVisibleSpace } from '../../../core/identity/space-repo.ts';
import { queryDatabase, readDatabaseSchema } from '../../../plugins/databases/database-query.ts';
import {
  createDatabaseSource,
  databaseSourceInputSchema,
  databaseSourcePatchSchema,
  deleteDatabaseSource,
  getDatabaseSource,
  kindOfUrl,
  listDatabaseSources,
  loadDatabaseSpec,
  saveDatabaseSchema,
  updateDatabaseSource,
} from '../../../plugins/databases/database-source-repo.ts';
import {
  databaseBodySchema,
  databaseListSchema,
  databaseQueryBodySchema,
  databaseQueryResultSchema,
} from '../../openapi/database-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { secretBoxFor } from './webhooks.ts';

/**
 * Admins connect databases for `query_database` (the URL is sealed and shown without its password); the
 * schema is read at once, so a database that cannot be reached is refused rather than stored. Builders list
 * them to grant them to agents (`databases` in an agent's definition).
 */
export function databaseRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const { store } = kernel;
  const box = secretBoxFor(kernel);
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/databases',
      resource: 'database',
      summary: 'List the connected databases and their schemas',
      tags: ['databases'],
      action: 'databases.read',
      responses: { 200: { description: 'The databases', schema: databaseListSchema } },
    },
    async (c) => c.json({ databases: await listDatabaseSources(store, c.get('principal').workspaceId) }),
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/databases',
      resource: 'database',
      summary:
        'Connect a PostgreSQL or MySQL/MariaDB database with a read-only role (its schema is read now)',
      tags: ['databases'],
      action: 'databases.manage',
      body: databaseSourceInputSchema,
      responses: { 201: { description: 'The database', schema: databaseBodySchema } },
    },
    async (c, { body }) => {
      const principal = c.get('principal');
      const spaceId =
        body.space === undefined
          ? null
          : (await getVisibleSpace(store, { ...principal, userId: principal.userId }, body.space)).id;
      const schema = await readDatabaseSchema({ kind: kindOfUrl(body.url), url: body.url });
      const database = await createDatabaseSource(store, box(), {
        ...body,
        workspaceId: principal.workspaceId,
        spaceId,
        schema,
      });
      return c.json({ database }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/databases/:id/refresh',
      resource: 'database',
      summary: "Read the database's schema again",
      tags: ['databases'],
      action: 'databases.manage',
      responses: { 200: { description: 'The database', schema: databaseBodySchema } },
    },
    async (c, { params }) => {
      const spec = await loadDatabaseSpec(store, box(), c.get('principal').workspaceId, params.id);
      const database = await saveDatabaseSchema(store, spec.id, await readDatabaseSchema(spec));
      return c.json({ database });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/databases/:id/query',
      resource: 'database',
      summary: 'Run one read-only statement as agents would (the same checks, limits and role)',
      tags: ['databases'],
      action: 'databases.manage',
      body: databaseQueryBodySchema,
      responses: { 200: { description: 'The rows', schema: databaseQueryResultSchema } },
    },
    async (c, { params, body }) => {
      const spec = await loadDatabaseSpec(store, box(), c.get('principal').workspaceId, params.id);
      return c.json(await queryDatabase(spec, body.sql));
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/databases/:id',
      resource: 'database',
      summary: 'One connected database',
      tags: ['databases'],
      action: 'databases.read',
      responses: { 200: { description: 'The database', schema: databaseBodySchema } },
    },
    async (c, { params }) =>
      c.json({ database: await getDatabaseSource(store, c.get('principal').workspaceId, params.id) }),
  );

  defineRoute(
    api,
    {
      method: 'patch',
      path: '/databases/:id',
      resource: 'database',
      summary: "Change a database's description, trust label (trustedOutput) or limits",
      tags: ['databases'],
      action: 'databases.manage',
      body: databaseSourcePatchSchema,
      responses: { 200: { description: 'The database', schema: databaseBodySchema } },
    },
    async (c, { params, body }) =>
      c.json({
        database: await updateDatabaseSource(store, c.get('principal').workspaceId, params.id, body),
      }),
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/databases/:id',
      resource: 'database',
      summary: 'Disconnect a database (agents granted it can no longer query it)',
      tags: ['databases'],
      action: 'databases.manage',
      responses: { 200: { description: 'The removed database', schema: databaseBodySchema } },
    },
    async (c, { params }) =>
      c.json({ database: await deleteDatabaseSource(store, c.get('principal').workspaceId, params.id) }),
  );
  return api;
}
