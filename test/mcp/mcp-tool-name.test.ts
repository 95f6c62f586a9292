import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRunEvents } from '../../src/core/kernel/run-events.ts';
import type { JournalStep } from '../../src/core/kernel/run-journal.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { Approval } from '../../src/plugins/policy/approval-repo.ts';
import { eventually } from '../support/eventually.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { BANK_SERVER, type McpHarness, startMcpHarness } from './mcp-harness.ts';

const NAME = 'bank__send_money';

/** One name for an MCP tool: what the agent is granted, the model is offered and calls, the journal, the gate and the approval say. */
describe.each(storeTargets())('One tool name for an MCP tool on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: McpHarness;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startMcpHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry(),
    });
    const registered = await h.api('POST', '/api/mcp/servers', {
      name: 'bank',
      transport: 'stdio',
      command: process.execPath,
      args: ['--import', 'tsx', BANK_SERVER],
    });
    expect(registered.status).toBe(201);
    // High stakes: every call waits for a person, so there is an approval to compare.
    expect((await h.api('PATCH', '/api/mcp/servers/bank/tools/send_money', { stakes: 'high' })).status).toBe(
      200,
    );
  }, 60_000);
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('is the same in the grant, the model request, the journal, the gate, the approval and the pause', async () => {
    // Granted in the spelling of before the rule: stored, and shown, in the current one.
    const agentId = await h.createAgent({
      name: 'payer',
      tools: ['bank.send_money'],
      limits: { maxSteps: 3 },
    });
    const agent = await h.api<{ agent: { definition: { tools: string[] } } }>(
      'GET',
      `/api/agents/${agentId}`,
    );
    expect(agent.body.agent.definition.tools).toEqual([NAME]);
    const offered = (
      await h.api<{ tools: { qualifiedName: string }[] }>('GET', '/api/mcp/servers/bank/tools')
    ).body.tools;
    expect(offered.map((t) => t.qualifiedName)).toContain(NAME);

    const args = { recipient: 'alice', amount: 5, subject: 'lunch' };
    model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: NAME, arguments: args }] }, { text: 'Sent.' });
    const paused = await h.runTask('payer', 'Send alice 5 for lunch');
    expect(paused.status).toBe('paused');
    // The scripted model refuses names OpenAI refuses; this one went out as is.
    expect(model.requests[0]?.body.tools?.map((t) => t.function.name)).toEqual([NAME]);
    expect(paused.pause).toMatchObject({ reason: 'approval_required', tool: NAME });

    const approvals = (await h.api<{ approvals: Approval[] }>('GET', '/api/approvals?status=pending')).body
      .approvals;
    const approval = approvals.find((a) => a.runId === paused.id);
    expect(approval?.tool).toBe(NAME);
    const decided = await h.api('POST', `/api/approvals/${approval?.id}/approve`, {});
    expect(decided.status).toBe(200);

    const done = await eventually(async () => {
      const run = (await h.api<{ run: RunRecord }>('GET', `/api/runs/${paused.id}`)).body.run;
      expect(run.status).toBe('succeeded');
      return run;
    });
    expect(done.output).toMatchObject({ text: 'Sent.' });
    const steps = (await h.api<{ steps: JournalStep[] }>('GET', `/api/runs/${paused.id}/steps`)).body.steps;
    const called = steps
      .filter((s) => s.kind === 'model')
      .flatMap((s) => (s.result as { toolCalls?: { name: string }[] }).toolCalls ?? []);
    expect(called.map((c) => c.name)).toEqual([NAME]);
    const toolStep = steps.find((s) => s.kind === 'tool');
    expect(toolStep).toMatchObject({ status: 'completed', name: NAME });
    // The call went back to the model by the same name.
    const assistant = model.requests[1]?.body.messages.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls?.map((c) => c.function.name)).toEqual([NAME]);
    const gate = (await listRunEvents(h.agentOs.store, paused.id, 0))
      .filter((e) => e.type === 'policy.decision')
      .map((e) => e.data.tool);
    expect(new Set(gate)).toEqual(new Set([NAME]));
  });

  it('counts an approval stored under the old dotted name as the approval of the same call', async () => {
    const args = { recipient: 'bob', amount: 7, subject: 'taxi' };
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: NAME, arguments: args }] },
      { text: 'Paid bob.' },
    );
    const paused = await h.runTask('payer', 'Send bob 7 for the taxi');
    expect(paused.status).toBe('paused');
    // As a row written before the naming rule would say it.
    await h.agentOs.store.query("UPDATE approvals SET tool = 'bank.send_money' WHERE run_id = $1", [
      paused.id,
    ]);
    const pending = async () =>
      (await h.api<{ approvals: Approval[] }>('GET', '/api/approvals?status=pending')).body.approvals.filter(
        (a) => a.runId === paused.id,
      );
    const [approval] = await pending();
    expect(approval?.tool).toBe(NAME);
    expect((await h.api('POST', `/api/approvals/${approval?.id}/approve`, {})).status).toBe(200);
    const done = await eventually(async () => {
      const run = (await h.api<{ run: RunRecord }>('GET', `/api/runs/${paused.id}`)).body.run;
      expect(run.status).toBe('succeeded');
      return run;
    });
    expect(done.output).toMatchObject({ text: 'Paid bob.' });
    const { rows } = await h.agentOs.store.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM approvals WHERE run_id = $1',
      [paused.id],
    );
    expect(rows[0]?.n).toBe(1);
  });
});
