import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { parseSkillFile } from '../../src/plugins/skills/skill-file.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import { storeTargets } from '../support/test-stores.ts';
import { contentOf, send, skillTools } from './skills-support.ts';

type Body = Record<string, unknown> & {
  skill: Record<string, unknown>;
  error: { code: string; message: string; details?: Record<string, unknown> };
};

describe.each(storeTargets())('the skills API on $kind', (target) => {
  let h: KernelHarness;
  /** A builder in the restricted space "finance". */
  let ada: TestMember;
  /** A builder outside it. */
  let bert: TestMember;
  /** A user in "finance". */
  let cleo: TestMember;

  const as = (member: TestMember | string, method: string, path: string, body?: unknown) =>
    send<Body>(h.url, typeof member === 'string' ? member : member.key, method, `/api${path}`, body);
  const admin = (method: string, path: string, body?: unknown) => as(h.key, method, path, body);
  const names = async (member: TestMember) =>
    ((await as(member, 'GET', '/skills')).body.skills as Array<{ name: string }>).map((s) => s.name);

  beforeAll(async () => {
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: 'http://127.0.0.1:9/v1',
      tools: skillTools,
      roles: ['api'],
    });
    const store = h.agentOs.store;
    ada = await addMember(store, h.workspaceId, { email: 'ada@example.com', name: 'Ada', role: 'builder' });
    bert = await addMember(store, h.workspaceId, {
      email: 'bert@example.com',
      name: 'Bert',
      role: 'builder',
    });
    cleo = await addMember(store, h.workspaceId, { email: 'cleo@example.com', name: 'Cleo', role: 'user' });
    expect((await admin('POST', '/spaces', { name: 'finance', visibility: 'restricted' })).status).toBe(201);
    for (const member of [ada, cleo]) {
      expect((await admin('POST', '/spaces/finance/members', { userId: member.id })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await h.agentOs.stop();
  });
  beforeEach(async () => {
    expect((await admin('PUT', '/policies/cedar', { policies: '' })).status).toBe(200);
    expect((await admin('PUT', '/policy', {})).status).toBe(200);
  });

  it('lets builders create and version a skill, and users read it but not write it', async () => {
    const created = await as(ada, 'POST', '/skills', {
      name: 'refunds',
      description: 'How we refund orders',
      instructions: 'Look the order up first.',
      tools: ['lookup'],
      knowledge: ['handbook'],
      space: 'finance',
    });
    expect(created.status).toBe(201);
    expect(created.body.skill).toMatchObject({
      name: 'refunds',
      version: 1,
      shared: false,
      tools: ['lookup'],
    });

    const refused = await as(cleo, 'POST', '/skills', { name: 'mine', description: 'x' });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'auth.forbidden' } } });
    expect((await as(cleo, 'PATCH', '/skills/refunds', { instructions: 'x' })).status).toBe(403);
    expect((await as(cleo, 'DELETE', '/skills/refunds')).status).toBe(403);

    const v2 = await as(ada, 'PATCH', '/skills/refunds', {
      instructions: 'Look the order up, then write a note.',
      tools: ['lookup', 'note'],
    });
    expect(v2.body.skill).toMatchObject({ version: 2, latestVersion: 2, tools: ['lookup', 'note'] });
    expect(v2.body.skill.knowledge).toEqual(['handbook']);

    const v1 = await as(cleo, 'GET', '/skills/refunds?version=1');
    expect(v1.body.skill).toMatchObject({
      version: 1,
      latestVersion: 2,
      instructions: 'Look the order up first.',
    });
    const versions = await as(cleo, 'GET', '/skills/refunds/versions');
    expect((versions.body.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([1, 2]);
    expect(await names(cleo)).toContain('refunds');
    expect((await as(cleo, 'GET', '/skills/refunds?version=9')).body.error.code).toBe('skill.not_found');

    const duplicate = await as(ada, 'POST', '/skills', { name: 'refunds', description: 'again' });
    expect(duplicate).toMatchObject({ status: 409, body: { error: { code: 'resource.conflict' } } });
    const empty = await as(ada, 'PATCH', '/skills/refunds', {});
    expect(empty.status).toBe(400);

    // Moving is not a new version; out of its space, the skill is the whole workspace's.
    const moved = await as(ada, 'PATCH', '/skills/refunds', { space: null });
    expect(moved.body.skill).toMatchObject({ spaceId: null, version: 2 });
    expect(await names(bert)).toContain('refunds');
    const back = await as(ada, 'PATCH', '/skills/refunds', { space: 'finance' });
    expect(back.body.skill).toMatchObject({ version: 2, latestVersion: 2 });
    expect(back.body.skill.spaceId).toMatch(/^spc_/);
    expect(await names(bert)).not.toContain('refunds');
  });

  it("hides a restricted space's skill from others (404) until it is shared, and lends it for use only", async () => {
    expect(await names(bert)).not.toContain('refunds');
    const hidden = await as(bert, 'GET', '/skills/refunds');
    expect(hidden).toMatchObject({ status: 404, body: { error: { code: 'skill.not_found' } } });
    expect((await as(bert, 'GET', '/skills/refunds/export')).status).toBe(404);
    expect((await as(bert, 'GET', '/skills/refunds/versions')).status).toBe(404);

    const enable = await as(bert, 'POST', '/agents', {
      name: 'bert-clerk',
      description: 'c',
      model: 'scripted:test-model',
      skills: ['refunds'],
    });
    expect(enable.status).toBe(404);
    expect(enable.body.error).toMatchObject({
      code: 'skill.not_found',
      details: { issues: [{ path: 'skills.0', message: 'No skill "refunds"' }] },
    });

    const shared = await as(ada, 'PATCH', '/skills/refunds', { shared: true });
    expect(shared.body.skill).toMatchObject({ shared: true, version: 2 });
    expect(await names(bert)).toContain('refunds');
    const pinned = await as(bert, 'POST', '/agents', {
      name: 'bert-clerk',
      description: 'c',
      model: 'scripted:test-model',
      skills: ['refunds'],
    });
    expect(pinned.status).toBe(201);
    expect((pinned.body.agent as { definition: { skills: string[] } }).definition.skills).toEqual([
      'refunds@2',
    ]);
    const older = await as(bert, 'PATCH', '/agents/bert-clerk', { skills: ['refunds@1'] });
    expect((older.body.agent as { definition: { skills: string[] } }).definition.skills).toEqual([
      'refunds@1',
    ]);
    const twice = await as(bert, 'PATCH', '/agents/bert-clerk', { skills: ['refunds', 'refunds@1'] });
    expect(twice.body.error).toMatchObject({
      code: 'request.invalid',
      details: { issues: [{ path: 'skills.1' }] },
    });

    const edit = await as(bert, 'PATCH', '/skills/refunds', { instructions: 'mine now' });
    expect(edit).toMatchObject({ status: 403, body: { error: { code: 'auth.forbidden' } } });
    expect((await as(bert, 'DELETE', '/skills/refunds')).status).toBe(403);

    expect((await as(ada, 'PATCH', '/skills/refunds', { shared: false })).status).toBe(200);
    expect((await as(bert, 'GET', '/skills/refunds')).status).toBe(404);
  });

  it('lets an admin forbid sharing with a Cedar policy: shared and workspace-wide skills need skills.share', async () => {
    const policy =
      '@id("no_sharing") forbid (principal in Role::"builder", action == Action::"skills.share", resource);';
    expect((await admin('PUT', '/policies/cedar', { policies: policy })).status).toBe(200);
    const share = await as(ada, 'PATCH', '/skills/refunds', { shared: true });
    expect(share).toMatchObject({ status: 403, body: { error: { code: 'auth.forbidden' } } });
    expect(JSON.stringify(share.body)).toContain('workspace.no_sharing');
    const wide = await as(ada, 'POST', '/skills', { name: 'everyone', description: 'workspace-wide' });
    expect(wide.status).toBe(403);
    const inSpace = await as(ada, 'POST', '/skills', {
      name: 'in-space',
      description: 'd',
      space: 'finance',
    });
    expect(inSpace.status).toBe(201);
    expect((await admin('PATCH', '/skills/in-space', { shared: true })).status).toBe(200);
  });

  it('exports a SKILL.md that imports to the same content in another workspace and under a new name', async () => {
    const response = await fetch(`${h.url}/api/skills/refunds/export`, {
      headers: { authorization: `Bearer ${ada.key}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/markdown');
    expect(response.headers.get('content-disposition')).toContain('refunds.SKILL.md');
    const file = await response.text();
    expect(file).toMatch(/^---\nname: refunds\n/);
    const original = (await as(ada, 'GET', '/skills/refunds')).body.skill;
    expect(parseSkillFile(file)).toEqual(contentOf(original));

    const other = await createWorkspace(h.agentOs.store, 'elsewhere');
    const stranger = await addMember(h.agentOs.store, other.id, {
      email: 'dora@example.com',
      name: 'Dora',
      role: 'admin',
    });
    const imported = await fetch(`${h.url}/api/skills/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stranger.key}`, 'content-type': 'text/markdown' },
      body: file,
    });
    const importedBody = (await imported.json()) as Body;
    expect(imported.status).toBe(201);
    expect(importedBody.skill).toMatchObject({ workspaceId: other.id, version: 1, spaceId: null });
    expect(contentOf(importedBody.skill)).toEqual(contentOf(original));
    // The other workspace's skill is not this one's.
    expect((await as(stranger, 'GET', '/skills')).body.skills).toHaveLength(1);
    expect((await as(cleo, 'GET', `/skills/${String(importedBody.skill.id)}`)).status).toBe(404);

    const copy = await as(ada, 'POST', '/skills/import', { file, name: 'refunds-copy', space: 'finance' });
    expect(copy.status).toBe(201);
    expect(contentOf(copy.body.skill)).toEqual({ ...contentOf(original), name: 'refunds-copy' });
    const again = await as(ada, 'POST', '/skills/import', { file, space: 'finance' });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'resource.conflict' } } });

    const json = await as(ada, 'GET', '/skills/refunds/export?version=1');
    expect(json.body).toMatchObject({ fileName: 'refunds.SKILL.md' });
    expect(parseSkillFile(String(json.body.content)).instructions).toBe('Look the order up first.');

    const broken = await fetch(`${h.url}/api/skills/import?space=finance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ada.key}`, 'content-type': 'text/markdown' },
      body: '---\nname: ok-name\ndescription: fine\ntools: [lookup, "bad tool"]\n---\nbody',
    });
    expect(broken.status).toBe(400);
    const brokenBody = (await broken.json()) as Body;
    expect(brokenBody.error).toMatchObject({
      code: 'request.invalid',
      details: { issues: [{ path: 'tools.1' }] },
    });
  });

  it("refuses, when a skill is saved, tools the workspace does not have or that are outside the saver's boundary", async () => {
    const unknown = await as(ada, 'POST', '/skills', {
      name: 'ghost',
      description: 'd',
      tools: ['lookup', 'nope'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: 'request.invalid',
      details: { issues: [{ path: 'tools.1' }] },
    });

    const boundary = { tools: ['lookup', 'note'], sources: ['handbook'] };
    expect((await admin('PUT', '/policy', { boundary })).status).toBe(200);
    const outside = await as(ada, 'POST', '/skills', { name: 'payouts', description: 'd', tools: ['pay'] });
    expect(outside).toMatchObject({ status: 403, body: { error: { code: 'policy.outside_boundary' } } });
    expect(outside.body.error.message).toContain('"pay"');
    const payouts = { name: 'payouts', description: 'd', knowledge: ['secret-wiki'] };
    const badSource = await as(ada, 'POST', '/skills', payouts);
    expect(badSource).toMatchObject({ status: 403, body: { error: { code: 'policy.outside_boundary' } } });
    expect(badSource.body.error.message).toContain('"secret-wiki"');
    expect((await admin('PUT', '/policy', {})).status).toBe(200);
    expect((await as(ada, 'POST', '/skills', payouts)).status).toBe(201);

    const forbidBuilders =
      '@id("builders_no_pay") forbid (principal, action == Action::"callTool", resource == Tool::"pay") when { principal has actingFor && principal.actingFor in Role::"builder" };';
    expect((await admin('PUT', '/policies/cedar', { policies: forbidBuilders })).status).toBe(200);
    const cedar = await as(ada, 'PATCH', '/skills/payouts', { tools: ['pay'] });
    expect(cedar).toMatchObject({ status: 403, body: { error: { code: 'policy.outside_boundary' } } });
    expect(cedar.body.error.details).toMatchObject({
      issues: [{ path: 'tools.0' }],
      policyIds: ['workspace.builders_no_pay'],
    });
    // An admin is not a builder: the same policy lets them save it.
    const byAdmin = await admin('PATCH', '/skills/payouts', { tools: ['pay'] });
    expect(byAdmin.body.skill).toMatchObject({ version: 2, tools: ['pay'] });

    // The boundary narrowing later refuses enabling it.
    expect((await admin('PUT', '/policy', { boundary: { tools: ['lookup', 'note'] } })).status).toBe(200);
    const enable = await as(ada, 'POST', '/agents', {
      name: 'payer',
      description: 'p',
      model: 'scripted:test-model',
      skills: ['payouts'],
    });
    expect(enable).toMatchObject({ status: 403, body: { error: { code: 'policy.outside_boundary' } } });
    expect(enable.body.error.message).toMatch(/^skills\.0: /);
  });

  it('deletes a skill: gone for everyone, its name free again', async () => {
    const removed = await as(ada, 'DELETE', '/skills/refunds-copy');
    expect(removed.body.skill).toMatchObject({ name: 'refunds-copy' });
    expect(removed.body.skill.deletedAt).not.toBeNull();
    expect((await as(ada, 'GET', '/skills/refunds-copy')).status).toBe(404);
    expect(await names(ada)).not.toContain('refunds-copy');
    const reused = await as(ada, 'POST', '/skills', { name: 'refunds-copy', description: 'new' });
    expect(reused.body.skill).toMatchObject({ version: 1 });
  });
});
