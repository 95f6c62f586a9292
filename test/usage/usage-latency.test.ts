import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRunEvents } from '../../src/core/kernel/run-events.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import type { Approval } from '../../src/plugins/policy/approval-repo.ts';
import type { UsageReport } from '../../src/plugins/usage/usage-report.ts';
import { type PolicyRig, startPolicyRig } from '../policy/policy-support.ts';
import { runCli } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

/** How long the person takes to approve: time the run spends paused, not working. */
const APPROVAL_WAIT_MS = 1_200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeTargets())('usage latency leaves out the wait for an approval on $kind', (target) => {
  let rig: PolicyRig;
  let run: RunRecord;

  const settle = (runId: string) =>
    rig.h.agentOs.kernel.runs.wait(rig.h.workspaceId, runId, { timeoutMs: 15_000, pollMs: 20 });

  beforeAll(async () => {
    rig = await startPolicyRig(await target.open(), { email: 'lee@example.com', name: 'Lee' });
    rig.model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'ada' } }] },
      { text: 'Paid.' },
    );
    const { body } = await rig.h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'clerk',
      task: 'Pay ada',
    });
    expect((await settle(body.run.id)).status).toBe('paused');
    await sleep(APPROVAL_WAIT_MS);
    const pending = await rig.h.api<{ approvals: Approval[] }>('GET', '/api/approvals?status=pending');
    const approval = pending.body.approvals.find((a) => a.runId === body.run.id)!;
    expect((await rig.h.api('POST', `/api/approvals/${approval.id}/approve`)).status).toBe(200);
    run = await settle(body.run.id);
    expect(run.status).toBe('succeeded');
  });
  afterAll(async () => rig.stop());

  it('reports the active time: start to end less the pause the events record', async () => {
    const events = await listRunEvents(rig.h.agentOs.store, run.id, 0);
    const pausedAt = events.find((e) => e.type === 'run.paused')!.createdAt.getTime();
    const resumedAt = events.find((e) => e.type === 'run.resumed')!.createdAt.getTime();
    expect(resumedAt - pausedAt).toBeGreaterThanOrEqual(APPROVAL_WAIT_MS);
    const wall = run.finishedAt!.getTime() - run.startedAt!.getTime();

    const { status, body } = await rig.h.api<UsageReport>('GET', '/api/usage?groupBy=agent');
    expect(status).toBe(200);
    const [row] = body.rows;
    expect(body.rows).toHaveLength(1);
    expect(row).toMatchObject({ label: 'clerk', runs: 1, timedRuns: 1 });
    // Timestamps are microseconds in the store, milliseconds here: allow the rounding of three of them.
    expect(Math.abs(row!.avgLatencyMs! - (wall - (resumedAt - pausedAt)))).toBeLessThanOrEqual(3);
    expect(row!.avgLatencyMs!).toBeLessThan(wall - APPROVAL_WAIT_MS);
    expect(body.total.avgLatencyMs).toBe(row!.avgLatencyMs);
  });

  it('counts a run that has not ended in the runs but not in the latency', async () => {
    rig.model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'bob' } }] });
    const { body } = await rig.h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'clerk',
      task: 'Pay bob',
    });
    expect((await settle(body.run.id)).status).toBe('paused');
    const report = await rig.h.api<UsageReport>('GET', '/api/usage?groupBy=day');
    expect(report.body.total).toMatchObject({ runs: 2, timedRuns: 1 });
    const byAgent = await rig.h.api<UsageReport>('GET', '/api/usage?groupBy=agent');
    expect(report.body.total.avgLatencyMs).toBe(byAgent.body.total.avgLatencyMs);
  });

  it('shows the same figure in `agentos usage`', async () => {
    const args = ['usage', '--by', 'agent', '--url', rig.h.url, '--api-key', rig.h.key];
    const env = { AGENTOS_HOME: tempHome() };
    const json = await runCli([...args, '--json'], { cwd: tempHome(), env });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as UsageReport;
    const text = await runCli(args, { cwd: tempHome(), env });
    expect(text.code).toBe(0);
    const seconds = `${(report.rows[0]!.avgLatencyMs! / 1_000).toFixed(2)} s`;
    expect(text.stdout).toContain('avg latency');
    expect(text.stdout).toContain(seconds);
    expect(text.stdout).toContain(`average latency ${seconds} (paused time excluded)`);
  });
});
