import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import { roleAtLeast } from '../../../core/identity/roles.ts';
import { getVisibleSpace } from '../../../core/identity/space-repo.ts';
import { searchKnowledge } from '../../../plugins/knowledge/knowledge-search.ts';
import {
  getReadableSource,
  listReadableSources,
  type SourceViewer,
} from '../../../plugins/knowledge/source-access.ts';
import { parseSourceConfig, SOURCE_KINDS, sourceKindOf } from '../../../plugins/knowledge/source-kinds.ts';
import { type KnowledgeSource, sourceNameSchema } from '../../../plugins/knowledge/source-record.ts';
import {
  createSource,
  deleteSource,
  listDocuments,
  updateSource,
} from '../../../plugins/knowledge/source-repo.ts';
import { sourceCronScheduleSchema } from '../../../plugins/knowledge/source-schedule.ts';
import { runSourceSync } from '../../../plugins/knowledge/source-sync.ts';
import { claimSync } from '../../../plugins/knowledge/sync-engine.ts';
import { knowledgeSourceSchema, looseObject, noQuery } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { knowledgeDocumentsSchema, knowledgeHitSchema } from '../../openapi/knowledge-schemas.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const scheduleMinutes = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60)
  .nullable();
/** At most one kind of schedule per request: an interval or a cron schedule (both null clears both). */
const oneSchedule = (body: { scheduleMinutes?: unknown; schedule?: unknown }) =>
  body.scheduleMinutes == null || body.schedule == null;
const oneScheduleIssue = {
  message: 'give scheduleMinutes or schedule, not both',
  path: ['schedule'],
};
const createBody = z
  .strictObject({
    name: sourceNameSchema,
    kind: z.string().min(1).max(50),
    /** The owning space (id or name); absent: every member of the workspace reads the source. */
    space: z.string().min(1).max(200).optional(),
    config: z.record(z.string(), z.unknown()),
    /** Re-sync every so many minutes (workers); absent or null: only on request. */
    scheduleMinutes: scheduleMinutes.optional(),
    /** Re-sync at each firing of a cron schedule (workers) instead; absent or null: only on request. */
    schedule: sourceCronScheduleSchema.nullable().optional(),
  })
  .refine(oneSchedule, oneScheduleIssue);
const patchBody = z
  .strictObject({
    name: sourceNameSchema.optional(),
    space: z.string().min(1).max(200).nullable().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    /** A new interval replaces a cron schedule; null: no interval. */
    scheduleMinutes: scheduleMinutes.optional(),
    /** A new cron schedule replaces an interval; null: no cron schedule. */
    schedule: sourceCronScheduleSchema.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'the patch is empty' })
  .refine(oneSchedule, oneScheduleIssue);
const syncBody = z.strictObject({
  /** false: start the sync and answer 202 at once (poll the source's status). */
  wait: z.boolean().default(true),
});
const documentsQuery = z.strictObject({
  status: z.enum(['ok', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
  /** Paging: the last ref of the previous page. */
  after: z.string().min(1).optional(),
});
const searchQuery = z.strictObject({
  q: z.string().trim().min(1).max(1_000),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  /** Comma-separated source names to narrow to. */
  sources: z.string().min(1).max(2_000).optional(),
});
const sourceBody = z.object({ source: knowledgeSourceSchema });
const tags = ['knowledge'];

const viewerOf = (principal: SourceViewer): SourceViewer => ({
  workspaceId: principal.workspaceId,
  userId: principal.userId,
  role: principal.role,
});

/** Folder sources read the server's disk: their kind names a higher role than builder. */
function assertMayManageKind(viewer: SourceViewer, kind: string): void {
  const needed = sourceKindOf(kind).manageRole;
  if (!roleAtLeast(viewer.role, needed))
    throw new AgentOsError(
      'auth.forbidden',
      `Managing ${kind} sources needs the ${needed} role; you are ${viewer.role}`,
    );
}

/**
 * `/sources` (data sources of shared knowledge, readable by their space's readers) and
 * `/knowledge/search` (cited search over the sources the caller may read). A source the caller may not
 * read answers 404 everywhere, like a missing one.
 */
export function knowledgeRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const { store } = deps;
  const syncDeps = { store, version: deps.version, home: deps.config.home, log: deps.log };
  const actorOf = (viewer: SourceViewer & { keyId?: string }) => ({
    type: 'user' as const,
    id: viewer.userId,
    ...(viewer.keyId === undefined ? {} : { keyId: viewer.keyId }),
  });
  const spaceIdOf = async (viewer: SourceViewer, space: string | null | undefined) =>
    space === undefined
      ? undefined
      : space === null
        ? null
        : (await getVisibleSpace(store, viewer, space)).id;

  defineRoute(
    api,
    {
      method: 'get',
      path: '/sources',
      resource: 'source',
      summary: 'The knowledge sources the caller may read, with sync status and counts',
      tags,
      action: 'sources.read',
      query: noQuery,
      responses: {
        200: { description: 'Sources', schema: z.object({ sources: z.array(knowledgeSourceSchema) }) },
      },
    },
    async (c) => c.json({ sources: await listReadableSources(store, viewerOf(c.get('principal'))) }),
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/sources',
      resource: 'source',
      summary: `Add a data source (kinds: ${Object.keys(SOURCE_KINDS).join(', ')}) to a space or the workspace`,
      tags,
      action: 'sources.create',
      body: createBody,
      responses: { 201: { description: 'The new source (not synced yet)', schema: sourceBody } },
    },
    async (c, { body }) => {
      const viewer = viewerOf(c.get('principal'));
      assertMayManageKind(viewer, body.kind);
      const source = await createSource(store, {
        workspaceId: viewer.workspaceId,
        spaceId: (await spaceIdOf(viewer, body.space)) ?? null,
        name: body.name,
        kind: body.kind,
        config: parseSourceConfig(body.kind, body.config),
        scheduleMinutes: body.scheduleMinutes ?? null,
        schedule: body.schedule ?? null,
        createdBy: viewer.userId,
      });
      return c.json({ source }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/sources/:source',
      resource: 'source',
      summary: 'One source (id or name): config, schedule, status, last counts and error',
      tags,
      action: 'sources.read',
      query: noQuery,
      responses: { 200: { description: 'The source', schema: sourceBody } },
    },
    async (c, { params }) =>
      c.json({ source: await getReadableSource(store, viewerOf(c.get('principal')), params.source) }),
  );

  defineRoute(
    api,
    {
      method: 'patch',
      path: '/sources/:source',
      resource: 'source',
      summary: 'Rename a source, move it to another space, change its config or schedule',
      tags,
      action: 'sources.update',
      body: patchBody,
      responses: { 200: { description: 'The changed source', schema: sourceBody } },
    },
    async (c, { params, body }) => {
      const viewer = viewerOf(c.get('principal'));
      const source = await getReadableSource(store, viewer, params.source);
      assertMayManageKind(viewer, source.kind);
      const updated = await updateSource(store, source, {
        name: body.name,
        spaceId: await spaceIdOf(viewer, body.space),
        config: body.config === undefined ? undefined : parseSourceConfig(source.kind, body.config),
        scheduleMinutes: body.scheduleMinutes,
        schedule: body.schedule,
      });
      return c.json({ source: updated });
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/sources/:source',
      resource: 'source',
      summary: 'Delete a source with its documents (they leave search at once)',
      tags,
      action: 'sources.delete',
      responses: {
        200: {
          description: 'The deleted source',
          schema: z.object({ source: knowledgeSourceSchema.extend({ deleted: z.literal(true) }) }),
        },
      },
    },
    async (c, { params }) => {
      const viewer = viewerOf(c.get('principal'));
      const source = await getReadableSource(store, viewer, params.source);
      assertMayManageKind(viewer, source.kind);
      await store.transaction((tx) => deleteSource(tx, source));
      return c.json({ source: { ...source, deleted: true } });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/sources/:source/sync',
      resource: 'source',
      summary:
        'Sync a source now: waits for the result, or with `wait: false` answers 202 and syncs in the background',
      tags,
      action: 'sources.sync',
      body: syncBody,
      responses: {
        200: {
          description: 'The source after the sync, and what it did',
          schema: z.object({ source: knowledgeSourceSchema, result: looseObject }),
        },
        202: { description: 'The sync started; poll GET /sources/:source', schema: sourceBody },
        409: { description: 'A sync of this source is already running' },
      },
    },
    async (c, { params, body }) => {
      const principal = c.get('principal');
      const viewer = viewerOf(principal);
      const source: KnowledgeSource = await getReadableSource(store, viewer, params.source);
      const actor = actorOf({ ...viewer, keyId: principal.keyId });
      if (!body.wait) {
        await claimSync(store, source);
        runSourceSync(syncDeps, source, actor, { claimed: true }).catch((error: unknown) =>
          deps.log(`sync of ${source.name}: ${(error as Error).message}`),
        );
        return c.json({ source: { ...source, status: 'syncing' } }, 202);
      }
      const result = await runSourceSync(syncDeps, source, actor);
      return c.json({ source: await getReadableSource(store, viewer, source.id), result });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/sources/:source/documents',
      resource: 'source',
      summary: "A source's documents with their status, chunk counts and parse or fetch errors",
      tags,
      action: 'sources.read',
      query: documentsQuery,
      responses: { 200: { description: 'Documents in ref order', schema: knowledgeDocumentsSchema } },
    },
    async (c, { params, query }) => {
      const source = await getReadableSource(store, viewerOf(c.get('principal')), params.source);
      const documents = await listDocuments(store, source.id, query);
      return c.json({ source: { id: source.id, name: source.name }, documents });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/knowledge/search',
      resource: 'source',
      summary: 'Cited search over the knowledge sources the caller may read',
      tags,
      action: 'knowledge.search',
      query: searchQuery,
      responses: {
        200: {
          description: 'Results, best first, each with its citation',
          schema: z.object({ results: z.array(knowledgeHitSchema) }),
        },
      },
    },
    async (c, { query }) => {
      const readable = await listReadableSources(store, viewerOf(c.get('principal')));
      const wanted = query.sources?.split(',').map((name) => name.trim());
      const sources = wanted === undefined ? readable : readable.filter((s) => wanted.includes(s.name));
      const hits = await searchKnowledge(store, {
        query: query.q,
        sourceIds: sources.map((source) => source.id),
        limit: query.limit,
      });
      return c.json({
        results: hits.map((hit) => ({
          citationId: `K${hit.chunkId}`,
          source: hit.source.name,
          document: hit.document.title,
          section: hit.section,
          location: hit.document.location,
          snippet: hit.snippet,
          text: hit.text,
          score: hit.score,
          untrusted: hit.document.untrusted,
        })),
      });
    },
  );
  return api;
}
