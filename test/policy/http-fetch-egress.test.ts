import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { httpFetchTool } from '../../src/core/tools/builtin/http-fetch.ts';
import type { Approval } from '../../src/plugins/policy/approval-repo.ts';
import { type PolicySettingsInput, savePolicy } from '../../src/plugins/policy/policy-settings.ts';
import { storeTargets } from '../support/test-stores.ts';
import { type PolicyRig, startPolicyRig } from './policy-support.ts';

/** Egress by reading: http_fetch is a read, but its URL carries data out of a tainted run. */
describe.each(storeTargets())('flow.egress_destination for http_fetch on $kind', (target) => {
  let rig: PolicyRig;
  let site: Server;
  let siteUrl: string;
  /** Every path (with its query) the loopback site was asked for. */
  const seen: string[] = [];
  const EGRESS: PolicySettingsInput = { recipientAllowlist: ['127.0.0.1'] };

  const settle = (runId: string) =>
    rig.h.agentOs.kernel.runs.wait(rig.h.workspaceId, runId, { timeoutMs: 15_000, pollMs: 20 });
  const start = async (task: string) => {
    const { body } = await rig.h.api<{ run: RunRecord }>('POST', '/api/runs', { agent: 'clerk', task });
    return settle(body.run.id);
  };
  const approvalOf = async (runId: string) =>
    (await rig.h.api<{ approvals: Approval[] }>('GET', '/api/approvals?status=pending')).body.approvals.find(
      (a) => a.runId === runId,
    );
  const fetchCall = (url: string) => ({
    kind: 'tool_calls' as const,
    toolCalls: [{ name: 'http_fetch', arguments: { url } }],
  });
  /** An outside page enters the context first: every later call is tainted. */
  const taint = {
    kind: 'tool_calls' as const,
    toolCalls: [{ name: 'fetch_page', arguments: { url: 'https://example.org/inbox' } }],
  };

  beforeAll(async () => {
    site = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('a page on loopback');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const { port } = site.address() as AddressInfo;
    siteUrl = `http://127.0.0.1:${port}`;
    rig = await startPolicyRig(await target.open(), { email: 'ed@example.com', name: 'Ed' }, [
      httpFetchTool({ allowHosts: { '*': [`127.0.0.1:${port}`] } }),
    ]);
    await savePolicy(rig.h.agentOs.store, rig.h.workspaceId, EGRESS);
  });
  afterAll(async () => {
    await rig.stop();
    site.closeAllConnections();
    await new Promise<void>((resolve) => site.close(() => resolve()));
  });
  beforeEach(async () => {
    seen.length = 0;
    rig.model.requests.length = 0;
    await savePolicy(rig.h.agentOs.store, rig.h.workspaceId, EGRESS);
  });

  it('lets an untainted run fetch an allowlisted host with a query string', async () => {
    rig.model.enqueue(fetchCall(`${siteUrl}/search?q=launch-code`), { text: 'Fetched.' });
    const run = await start('Look something up');
    expect(run.status).toBe('succeeded');
    expect(seen).toEqual(['/search?q=launch-code']);
    expect(await rig.decisions(run.id)).toEqual(['http_fetch:allow:default.allow']);
  });

  it('pauses the same call in a tainted run, says why, and runs it once when approved', async () => {
    rig.model.enqueue(taint, fetchCall(`${siteUrl}/search?q=launch-code`));
    const paused = await start('Read my inbox');
    expect(paused.status).toBe('paused');
    expect(paused.pause).toMatchObject({
      reason: 'approval_required',
      tool: 'http_fetch',
      ruleId: 'flow.egress_destination',
    });
    expect(seen).toEqual([]);
    const approval = await approvalOf(paused.id);
    expect(approval).toMatchObject({ tool: 'http_fetch', ruleId: 'flow.egress_destination' });
    expect(approval?.reason).toBe(
      `the url argument of "http_fetch" names a destination (${siteUrl}/search?q=launch-code: the URL carries ` +
        'a query string) and the run has read untrusted content from "fetch_page"',
    );

    rig.model.enqueue({ text: 'Fetched.' });
    const decided = await rig.h.api('POST', `/api/approvals/${approval?.id}/approve`);
    expect(decided.status).toBe(200);
    const done = await settle(paused.id);
    expect(done.status).toBe('succeeded');
    expect(seen).toEqual(['/search?q=launch-code']);
    expect(await rig.decisions(paused.id)).toEqual([
      'fetch_page:allow:default.allow',
      'http_fetch:ask:flow.egress_destination',
      'http_fetch:allow:approval.granted',
    ]);
  });

  it('taints through http_fetch itself: a later fetch with data in the URL pauses, one without goes', async () => {
    rig.model.enqueue(
      fetchCall(`${siteUrl}/first`),
      fetchCall(`${siteUrl}/second`),
      fetchCall(`http://user:pw@127.0.0.1:${new URL(siteUrl).port}/third`),
    );
    const paused = await start('Browse');
    expect(paused.status).toBe('paused');
    expect(seen).toEqual(['/first', '/second']);
    expect(await rig.decisions(paused.id)).toEqual([
      'http_fetch:allow:default.allow',
      'http_fetch:allow:default.allow',
      'http_fetch:ask:flow.egress_destination',
    ]);
    expect((await approvalOf(paused.id))?.reason).toContain(
      'the URL carries credentials) and the run has read untrusted content from "http_fetch"',
    );
    await rig.h.api('POST', `/api/runs/${paused.id}/cancel`);
  });

  it('lets a tainted run fetch a URL the person named in the task, query string and all', async () => {
    const named = `${siteUrl}/report?week=12`;
    rig.model.enqueue(taint, fetchCall(named), { text: 'Fetched.' });
    const run = await start(`Read my inbox, then fetch ${named}`);
    expect(run.status).toBe('succeeded');
    expect(seen).toEqual(['/report?week=12']);
    expect(await rig.decisions(run.id)).toEqual([
      'fetch_page:allow:default.allow',
      'http_fetch:allow:default.allow',
    ]);
  });

  it('asks for any destination when the workspace has no egress allowlist', async () => {
    await savePolicy(rig.h.agentOs.store, rig.h.workspaceId, {});
    rig.model.enqueue(taint, fetchCall(`${siteUrl}/plain`));
    const paused = await start('Read, then fetch');
    expect(paused.status).toBe('paused');
    expect((await approvalOf(paused.id))?.reason).toContain(
      `127.0.0.1:${new URL(siteUrl).port} is outside the workspace's egress allowlist`,
    );
    await rig.h.api('POST', `/api/runs/${paused.id}/cancel`);
  });

  it('does not ask when the policy is switched off', async () => {
    await savePolicy(rig.h.agentOs.store, rig.h.workspaceId, { ...EGRESS, enabled: false });
    rig.model.enqueue(taint, fetchCall(`${siteUrl}/search?q=launch-code`), { text: 'Fetched.' });
    const run = await start('Read my inbox');
    expect(run.status).toBe('succeeded');
    expect(await rig.decisions(run.id)).toEqual([
      'fetch_page:allow:policy.disabled',
      'http_fetch:allow:policy.disabled',
    ]);
  });
});
