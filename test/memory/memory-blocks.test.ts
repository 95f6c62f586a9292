import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import type { ToolCallContext } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { listPinnedBlocks } from '../../src/plugins/memory/memory-blocks.ts';
import { memoryTools } from '../../src/plugins/memory/memory-tools.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

interface BlockBody {
  id: string;
  scope: string;
  scopeId: string;
  label: string;
  content: string;
  updatedBy: string;
}

interface ErrorBody {
  error: { code: string; message: string };
}

describe.each(storeTargets())('pinned memory blocks on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let base: string;
  let workspaceId: string;
  let admin: string;
  let adminId: string;
  let builder: string;
  let member: string;
  let memberId: string;
  let agentId: string;
  const send = async <T>(key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const addUser = async (email: string, role: string) => {
    const user = await send<{ user: { id: string } }>(admin, 'POST', '/users', { email, name: email, role });
    const key = await send<{ secret: string }>(admin, 'POST', '/keys', {
      name: email,
      userId: user.body.user.id,
    });
    return { id: user.body.user.id, key: key.body.secret };
  };

  beforeAll(async () => {
    agentOs = await startAgentOs(testConfig(), {
      roles: ['api'],
      store: await target.open(),
      tools: new ToolRegistry(),
      log: () => {},
    });
    if (!agentOs.firstStart.created) throw new Error('expected a first start');
    admin = agentOs.firstStart.apiKey;
    adminId = agentOs.firstStart.userId;
    workspaceId = agentOs.firstStart.workspaceId;
    base = agentOs.http!.url;
    builder = (await addUser('builder@example.com', 'builder')).key;
    const user = await addUser('member@example.com', 'user');
    member = user.key;
    memberId = user.id;
    agentId = (
      await createAgent(agentOs.store, {
        workspaceId,
        definition: agentDefinitionSchema.parse({
          name: 'support',
          description: 'test agent',
          model: 'scripted:test-model',
        }),
      })
    ).id;
  });
  afterAll(async () => {
    await agentOs.stop();
  });

  it('a user pins, replaces, lists and deletes their own notes; the change is audited', async () => {
    const created = await send<{ block: BlockBody; changed: boolean }>(member, 'PUT', '/memory-blocks', {
      scope: 'user',
      label: 'preferences',
      content: 'Answer in British English.',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      changed: true,
      block: { scope: 'user', scopeId: memberId, label: 'preferences', updatedBy: memberId },
    });
    const same = await send<{ block: BlockBody; changed: boolean }>(member, 'PUT', '/memory-blocks', {
      scope: 'user',
      label: 'preferences',
      content: 'Answer in British English.',
    });
    expect(same.body).toMatchObject({ changed: false, block: { id: created.body.block.id } });
    const replaced = await send<{ block: BlockBody; changed: boolean }>(member, 'PUT', '/memory-blocks', {
      scope: 'user',
      label: 'preferences',
      content: 'Answer in British English, briefly.',
    });
    expect(replaced.body).toMatchObject({ changed: true, block: { id: created.body.block.id } });

    const listed = await send<{ blocks: BlockBody[] }>(member, 'GET', '/memory-blocks');
    expect(listed.body.blocks.map((b) => [b.scope, b.label, b.content])).toEqual([
      ['user', 'preferences', 'Answer in British English, briefly.'],
    ]);
    // Another user neither sees nor deletes it.
    expect((await send<{ blocks: BlockBody[] }>(builder, 'GET', '/memory-blocks')).body.blocks).toEqual([]);
    const foreign = await send<ErrorBody>(builder, 'DELETE', `/memory-blocks/${created.body.block.id}`);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'resource.not_found']);

    const deleted = await send<{ block: BlockBody }>(
      member,
      'DELETE',
      `/memory-blocks/${created.body.block.id}`,
    );
    expect(deleted.body.block.id).toBe(created.body.block.id);
    expect((await send<{ blocks: BlockBody[] }>(member, 'GET', '/memory-blocks')).body.blocks).toEqual([]);

    const { rows } = await agentOs.store.query<{ action: string }>(
      `SELECT action FROM audit_outbox WHERE resource->>'id' = $1
       UNION ALL SELECT action FROM audit_log WHERE resource->>'id' = $1`,
      [created.body.block.id],
    );
    const actions = rows.map((row) => row.action);
    expect(actions.filter((a) => a === 'memory_block.set')).toHaveLength(2);
    expect(actions).toContain('memory_block.delete');
  });

  it('agent and workspace blocks need builder or admin', async () => {
    const denied = [
      { scope: 'workspace', label: 'house-rules', content: 'Be kind.' },
      { scope: 'agent', scopeId: agentId, label: 'playbook', content: 'Refunds up to 50 EUR.' },
      { scope: 'user', scopeId: adminId, label: 'x', content: 'not mine' },
    ];
    for (const body of denied) {
      const response = await send<ErrorBody>(member, 'PUT', '/memory-blocks', body);
      expect([response.status, response.body.error.code]).toEqual([403, 'auth.forbidden']);
    }
    const asMember = await send<ErrorBody>(member, 'GET', `/memory-blocks?agentId=${agentId}`);
    expect(asMember.status).toBe(403);

    const workspace = await send<{ block: BlockBody }>(builder, 'PUT', '/memory-blocks', denied[0]);
    expect(workspace.body.block).toMatchObject({ scope: 'workspace', scopeId: workspaceId });
    const agent = await send<{ block: BlockBody }>(admin, 'PUT', '/memory-blocks', denied[1]);
    expect(agent.status).toBe(200);
    const unknownAgent = await send<ErrorBody>(admin, 'PUT', '/memory-blocks', {
      ...denied[1],
      scopeId: 'agt_nope',
    });
    expect(unknownAgent.status).toBe(404);

    // Everyone reads the workspace's blocks; a member may not delete them.
    expect(
      (await send<{ blocks: BlockBody[] }>(member, 'GET', '/memory-blocks')).body.blocks.map((b) => b.label),
    ).toEqual(['house-rules']);
    const memberDelete = await send<ErrorBody>(member, 'DELETE', `/memory-blocks/${workspace.body.block.id}`);
    expect(memberDelete.status).toBe(403);
    const withAgent = await send<{ blocks: BlockBody[] }>(
      builder,
      'GET',
      `/memory-blocks?agentId=${agentId}`,
    );
    expect(withAgent.body.blocks.map((b) => `${b.scope}/${b.label}`)).toEqual([
      'agent/playbook',
      'workspace/house-rules',
    ]);
  });

  it('rejects bad labels and oversized content', async () => {
    const bad = [
      { scope: 'user', label: 'Capitals', content: 'x' },
      { scope: 'user', label: '1st', content: 'x' },
      { scope: 'user', label: 'ok', content: 'x'.repeat(2_001) },
      { scope: 'user', label: 'ok', content: '' },
      { scope: 'space', label: 'ok', content: 'x' },
    ];
    for (const body of bad) {
      const response = await send<ErrorBody>(member, 'PUT', '/memory-blocks', body);
      expect([response.status, response.body.error.code]).toEqual([400, 'request.invalid']);
    }
    await expect(
      agentOs.store.query(
        `INSERT INTO memory_blocks (id, workspace_id, scope, scope_id, label, content, updated_by)
         VALUES ('blk_x', $1, 'user', 'u', 'ok', repeat('x', 2001), 'u')`,
        [workspaceId],
      ),
    ).rejects.toThrow();
  });

  it('pin_note upserts an agent or user note the kernel then lists for that agent and user', async () => {
    const pinNote = memoryTools(agentOs.store).find((tool) => tool.name === 'pin_note');
    if (pinNote === undefined) throw new Error('pin_note is not among the memory tools');
    const context = (call: number): ToolCallContext => ({
      runId: 'run_pin',
      workspaceId,
      agentId,
      userId: memberId,
      idempotencyKey: `run_pin:1:${call}`,
      signal: new AbortController().signal,
    });
    const input = (raw: unknown) => pinNote.inputSchema.parse(raw);
    const first = (await pinNote.execute(
      input({ label: 'open-ticket', content: 'Ticket 42: waiting for the courier.' }),
      context(0),
    )) as { id: string; scope: string; changed: boolean };
    expect(first).toMatchObject({ scope: 'agent', changed: true });
    const retried = (await pinNote.execute(
      input({ label: 'open-ticket', content: 'Ticket 42: waiting for the courier.' }),
      context(0),
    )) as { id: string; changed: boolean };
    expect(retried).toMatchObject({ id: first.id, changed: false });
    await pinNote.execute(
      input({ label: 'tone', content: 'Prefers short answers.', scope: 'user' }),
      context(1),
    );
    expect(() => input({ label: 'Bad Label', content: 'x' })).toThrow();

    const pinned = await listPinnedBlocks(agentOs.store, { workspaceId, agentId, userId: memberId });
    expect(pinned.map((b) => [b.scope, b.label])).toEqual([
      ['agent', 'open-ticket'],
      ['agent', 'playbook'],
      ['user', 'tone'],
      ['workspace', 'house-rules'],
    ]);
    expect(pinned[0]?.updatedAt).toBeInstanceOf(Date);
    const withoutUser = await listPinnedBlocks(agentOs.store, { workspaceId, agentId, userId: null });
    expect(withoutUser.map((b) => b.scope)).toEqual(['agent', 'agent', 'workspace']);
    const { rows } = await agentOs.store.query<{ updated_by: string }>(
      'SELECT updated_by FROM memory_blocks WHERE id = $1',
      [first.id],
    );
    expect(rows[0]?.updated_by).toBe(agentId);
  });
});
