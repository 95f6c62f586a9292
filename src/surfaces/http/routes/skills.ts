import { type Context, Hono } from 'hono';
import { z } from 'zod';
import {
  type SkillContent,
  skillContentSchema,
  skillNameSchema,
  skillPlacementSchema,
} from '../../../core/agents/skill-definition.ts';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Principal } from '../../../core/identity/api-keys.ts';
import { getVisibleSpace, type Space } from '../../../core/identity/space-repo.ts';
import { assertSkillWithinBoundary } from '../../../plugins/skills/skill-boundary.ts';
import { parseSkillFile, renderSkillFile } from '../../../plugins/skills/skill-file.ts';
import {
  createSkill,
  deleteSkill,
  listSkillVersions,
  type SkillRecord,
  skillContentOf,
  updateSkill,
} from '../../../plugins/skills/skill-repo.ts';
import {
  assertManagesSkill,
  getVisibleSkill,
  listVisibleSkills,
} from '../../../plugins/skills/skill-visibility.ts';
import { noQuery, timestamp } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import { assertRequestText } from '../../openapi/text-hygiene.ts';
import { parseWith } from '../../openapi/validate.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const skillSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    spaceId: z.string().nullable(),
    name: z.string(),
    shared: z.boolean(),
    version: z.number().int(),
    latestVersion: z.number().int(),
    description: z.string(),
    instructions: z.string(),
    tools: z.array(z.string()),
    knowledge: z.array(z.string()),
    createdBy: z.string().nullable(),
    updatedBy: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    deletedAt: timestamp.nullable(),
  })
  .meta({ id: 'Skill' });
const skillBody = z.object({ skill: skillSchema });

const versionQuery = z.strictObject({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be a positive whole number')
    .transform(Number)
    .optional(),
});

const createBody = z.strictObject({ ...skillContentSchema.shape, ...skillPlacementSchema.shape });

const patchBody = z
  .strictObject({
    description: skillContentSchema.shape.description.optional(),
    instructions: skillContentSchema.shape.instructions.unwrap().optional(),
    tools: skillContentSchema.shape.tools.unwrap().optional(),
    knowledge: skillContentSchema.shape.knowledge.unwrap().optional(),
    /** A space id or name; null: the whole workspace. */
    space: z.string().min(1).max(200).nullable().optional(),
    shared: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    message: 'the patch is empty: send at least one field to change',
  });

const importOptions = z.strictObject({
  /** Import under this name instead of the file's. */
  name: skillNameSchema.optional(),
  space: skillPlacementSchema.shape.space,
  shared: skillPlacementSchema.shape.shared,
});
const importQuery = importOptions.extend({
  shared: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});
const importJsonBody = importOptions.extend({ file: z.string().min(1) });

const CONTENT_KEYS = ['description', 'instructions', 'tools', 'knowledge'] as const;

/**
 * Skills: `GET|POST /api/skills`, `GET|PATCH|DELETE /api/skills/:name`, `GET /api/skills/:name/versions`,
 * `GET /api/skills/:name/export` (a SKILL.md) and `POST /api/skills/import`. Users read the skills they see;
 * builders and admins write them; making one visible to the whole workspace is `skills.share`.
 */
export function skillRoutes(deps: Pick<RouteDeps, 'store' | 'kernel'>): Hono<AppEnv> {
  const { store } = deps;
  const tags = ['skills'];

  /** The space a skill goes to, which the caller must see; undefined: the whole workspace. */
  const placeIn = (principal: Principal, space: string | undefined): Promise<Space | undefined> =>
    space === undefined ? Promise.resolve(undefined) : getVisibleSpace(store, principal, space);

  /** A skill everybody in the workspace sees is shared, whatever its flag says: that is the builder's right to share. */
  async function assertMayPlace(
    c: Context<AppEnv>,
    space: Space | undefined,
    shared: boolean,
  ): Promise<void> {
    if (space === undefined || shared) await c.get('authorizer').assert('skills.share');
  }

  async function create(
    c: Context<AppEnv>,
    content: SkillContent,
    placement: { space?: string | undefined; shared?: boolean | undefined },
  ): Promise<SkillRecord> {
    const principal = c.get('principal');
    const space = await placeIn(principal, placement.space);
    const shared = placement.shared ?? false;
    await assertMayPlace(c, space, shared);
    await assertSkillWithinBoundary(
      store,
      principal,
      { ...content, spaceName: space?.name },
      deps.kernel.tools,
    );
    return createSkill(store, {
      workspaceId: principal.workspaceId,
      spaceId: space?.id ?? null,
      shared,
      content,
      createdBy: principal.userId,
    });
  }

  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/skills',
      resource: 'skill',
      summary: 'List the skills the caller sees (latest versions)',
      tags,
      action: 'skills.read',
      query: noQuery,
      responses: { 200: { description: 'The skills', schema: z.object({ skills: z.array(skillSchema) }) } },
    },
    async (c) => c.json({ skills: await listVisibleSkills(store, c.get('principal')) }),
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/skills',
      resource: 'skill',
      summary: 'Create a skill (version 1)',
      description:
        "Without `space` the skill belongs to the whole workspace; with `shared` a space's skill is visible to every member. Both need `skills.share`.",
      tags,
      action: 'skills.create',
      body: createBody,
      responses: { 201: { description: 'The created skill', schema: skillBody } },
    },
    async (c, { body }) => {
      const { space, shared, ...content } = body;
      return c.json({ skill: await create(c, content, { space, shared }) }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/skills/import',
      resource: 'skill',
      summary: 'Create a skill from a SKILL.md (or JSON) file',
      description:
        'The body is the file itself (`Content-Type: text/markdown`, options `name`, `space`, `shared` in the query), or JSON `{file, name?, space?, shared?}`. `name` imports under another name.',
      tags,
      action: 'skills.create',
      rawBody: {
        'text/markdown': z.string().meta({ description: 'The SKILL.md file' }),
        'application/json': importJsonBody,
      },
      responses: { 201: { description: 'The created skill', schema: skillBody } },
    },
    async (c) => {
      const isJson = (c.req.header('content-type') ?? '').includes('application/json');
      const text = await c.req.text();
      const options = isJson
        ? parseWith(importJsonBody, parseJson(text), 'body')
        : { ...parseWith(importQuery, c.req.query(), 'query'), file: requestText(text) };
      const parsed = parseSkillFile(options.file);
      const content = options.name === undefined ? parsed : { ...parsed, name: options.name };
      return c.json({ skill: await create(c, content, options) }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/skills/:name',
      resource: 'skill',
      summary: 'Get a skill, its latest version or the one asked for',
      tags,
      action: 'skills.read',
      query: versionQuery,
      responses: { 200: { description: 'The skill', schema: skillBody } },
    },
    async (c, { params, query }) =>
      c.json({ skill: await getVisibleSkill(store, c.get('principal'), params.name, query.version) }),
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/skills/:name/versions',
      resource: 'skill',
      summary: "List a skill's versions, oldest first",
      tags,
      action: 'skills.read',
      query: noQuery,
      responses: {
        200: { description: 'Every version', schema: z.object({ versions: z.array(skillSchema) }) },
      },
    },
    async (c, { params }) => {
      const skill = await getVisibleSkill(store, c.get('principal'), params.name);
      return c.json({ versions: await listSkillVersions(store, skill.id) });
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/skills/:name/export',
      resource: 'skill',
      summary: 'Export a skill version as a SKILL.md file',
      description:
        'Answers the file (`text/markdown`); with `Accept: application/json`, `{fileName, content}` instead.',
      tags,
      action: 'skills.read',
      query: versionQuery,
      responses: {
        200: {
          description: 'The SKILL.md',
          contentType: 'text/markdown',
          alternatives: { 'application/json': z.object({ fileName: z.string(), content: z.string() }) },
        },
      },
    },
    async (c, { params, query }) => {
      const skill = await getVisibleSkill(store, c.get('principal'), params.name, query.version);
      const fileName = `${skill.name}.SKILL.md`;
      const content = renderSkillFile(skillContentOf(skill));
      if ((c.req.header('accept') ?? '').includes('application/json')) return c.json({ fileName, content });
      return c.body(content, 200, {
        'content-type': 'text/markdown; charset=utf-8',
        'content-disposition': `attachment; filename="${fileName}"`,
      });
    },
  );

  defineRoute(
    api,
    {
      method: 'patch',
      path: '/skills/:name',
      resource: 'skill',
      summary: 'Change a skill: new content stores a new version; space and shared move or share it',
      tags,
      action: 'skills.update',
      body: patchBody,
      responses: { 200: { description: 'The skill as it is now', schema: skillBody } },
    },
    async (c, { params, body }) => {
      const principal = c.get('principal');
      const current = await getVisibleSkill(store, principal, params.name);
      await assertManagesSkill(store, principal, current);
      const changesContent = CONTENT_KEYS.some((key) => body[key] !== undefined);
      const content = parseWith(
        skillContentSchema,
        { ...skillContentOf(current), ...definedOnly(body, CONTENT_KEYS) },
        'body',
      );
      const movesOrShares = body.space !== undefined || body.shared !== undefined;
      const space =
        body.space === undefined
          ? current.spaceId === null
            ? undefined
            : await getVisibleSpace(store, principal, current.spaceId)
          : await placeIn(principal, body.space ?? undefined);
      const shared = body.shared ?? current.shared;
      if (movesOrShares) await assertMayPlace(c, space, shared);
      if (changesContent || movesOrShares) {
        await assertSkillWithinBoundary(
          store,
          principal,
          { ...content, spaceName: space?.name },
          deps.kernel.tools,
        );
      }
      const skill = await updateSkill(store, {
        skillId: current.id,
        content: changesContent ? content : undefined,
        placement: movesOrShares ? { spaceId: space?.id ?? null, shared } : undefined,
        updatedBy: principal.userId,
      });
      return c.json({ skill });
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/skills/:name',
      resource: 'skill',
      summary: 'Delete a skill (agents that enable it can no longer run until they drop it)',
      tags,
      action: 'skills.delete',
      responses: { 200: { description: 'The deleted skill', schema: skillBody } },
    },
    async (c, { params }) => {
      const principal = c.get('principal');
      const current = await getVisibleSkill(store, principal, params.name);
      await assertManagesSkill(store, principal, current);
      return c.json({ skill: await deleteSkill(store, current.id) });
    },
  );
  return api;
}

function requestText(text: string): string {
  assertRequestText(text, 'body');
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AgentOsError(
      'request.malformed_json',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function definedOnly<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
