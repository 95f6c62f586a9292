import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { loadSecretBox } from '../../src/core/secrets/secret-box.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { scheduleTaskTool } from '../../src/plugins/orchestration/schedule-task-tool.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { post, toolMessages } from './orchestration-support.ts';

describe.each(storeTargets())('the schedule_task tool on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const run = async (task: string) =>
    (
      await h.api<{ run: RunRecord }>('POST', '/api/runs', {
        agent: 'planner',
        task,
        wait: true,
        waitTimeoutMs: 15_000,
      })
    ).body.run;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const tools = new ToolRegistry([
      scheduleTaskTool(() => ({ store: h.agentOs.store, box: loadSecretBox(h.config.home) })),
    ]);
    h = await startKernelHarness({ store: await target.open(), modelBaseUrl: model.url, tools });
    await h.createAgent({ name: 'planner', description: 'Plans recurring work', tools: ['schedule_task'] });
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('creates a cron trigger owned by the run user, firing at the next matching time', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'schedule_task', arguments: { schedule: '0 9 * * 1-5', task: 'Send the weekly report' } },
        ],
      },
      { text: 'Scheduled.' },
    );
    const done = await run('Every weekday at nine, send the weekly report');
    expect(done.status).toBe('succeeded');
    const { rows } = await h.agentOs.store.query<{
      kind: string;
      schedule: string;
      task: string;
      owner_user_id: string;
      next_fire_at: Date;
    }>('SELECT kind, schedule, task, owner_user_id, next_fire_at FROM triggers');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'cron', schedule: '0 9 * * 1-5', task: 'Send the weekly report' });
    expect(rows[0]?.owner_user_id).toBe(done.userId);
    expect(rows[0]?.next_fire_at.getUTCHours()).toBe(9);
    expect(rows[0]!.next_fire_at.getTime()).toBeGreaterThan(Date.now());
    expect(toolMessages(model, 1).join(' ')).toMatch(/triggerId/);
  });

  it('answers an invalid schedule with an error result and schedules nothing', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'schedule_task', arguments: { schedule: 'every tuesday', task: 'x' } }],
      },
      { text: 'Could not schedule.' },
    );
    const done = await run('Schedule something badly');
    expect(done.status).toBe('succeeded');
    expect(toolMessages(model, model.requests.length - 1).join(' ')).toMatch(/Invalid cron schedule/);
    const { rows } = await h.agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM triggers');
    expect(rows[0]?.n).toBe(1);
  });

  it('schedules no agent the run user may not see (a restricted space they are not in)', async () => {
    const eve = await addMember(h.agentOs.store, h.workspaceId, {
      email: 'eve@example.com',
      name: 'Eve',
      role: 'builder',
    });
    expect((await h.api('POST', '/api/spaces', { name: 'finance', visibility: 'restricted' })).status).toBe(
      201,
    );
    const ledger = await h.api('POST', '/api/agents', {
      name: 'ledger',
      description: 'Keeps the books',
      model: 'scripted:test-model',
      space: 'finance',
    });
    expect(ledger.status).toBe(201);
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          {
            name: 'schedule_task',
            arguments: { schedule: '0 9 * * *', task: 'Close the books', agent: 'ledger' },
          },
        ],
      },
      { text: 'Could not schedule.' },
    );
    const started = await post(
      h,
      '/api/runs',
      { agent: 'planner', task: 'Have the ledger close the books daily', wait: true, waitTimeoutMs: 15_000 },
      eve.key,
    );
    expect((started.body.run as RunRecord).status).toBe('succeeded');
    expect(toolMessages(model, model.requests.length - 1).join(' ')).toContain('No agent "ledger"');
    const { rows } = await h.agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM triggers');
    expect(rows[0]?.n).toBe(1);
  });
});
