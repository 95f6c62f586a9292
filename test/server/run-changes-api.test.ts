import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { type PolicyRig, startPolicyRig } from '../policy/policy-support.ts';
import { eventually } from '../support/eventually.ts';
import { readSse, type SseEvent } from '../support/kernel-harness.ts';
import { storeTargets } from '../support/test-stores.ts';

interface Follower {
  status: number;
  events: SseEvent[];
  /** The runs' states as the stream told them, in order. */
  states(runId: string): string[];
  close(): void;
}

describe.each(storeTargets())('GET /api/runs/changes on $kind', (target) => {
  let rig: PolicyRig;
  const followers: Follower[] = [];

  async function follow(key: string, headers: Record<string, string> = {}): Promise<Follower> {
    const controller = new AbortController();
    const response = await fetch(`${rig.h.url}/api/runs/changes`, {
      headers: { authorization: `Bearer ${key}`, ...headers },
      signal: controller.signal,
    });
    const events: SseEvent[] = [];
    if (response.ok)
      void readSse(response, (event) => {
        events.push(event);
        return false;
      }).catch(() => {});
    const follower: Follower = {
      status: response.status,
      events,
      states: (runId) =>
        events
          .filter((event) => event.event === 'run')
          .map((event) => JSON.parse(event.data) as RunRecord)
          .filter((run) => run.id === runId)
          .map((run) => run.status),
      close: () => controller.abort(),
    };
    followers.push(follower);
    return follower;
  }

  const start = async (task: string, key: string) => {
    const response = await fetch(`${rig.h.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'clerk', task }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { run: RunRecord }).run.id;
  };

  beforeAll(async () => {
    rig = await startPolicyRig(await target.open(), { email: 'kim@example.com', name: 'Kim' });
  });
  afterAll(async () => {
    for (const follower of followers) follower.close();
    await rig.stop();
  });

  it('tells a follower about a run from queued to its end, as the run record', async () => {
    const before = await start('Earlier task', rig.h.key);
    rig.model.enqueue({ text: 'Earlier.' });
    await rig.h.agentOs.kernel.runs.wait(rig.h.workspaceId, before, { timeoutMs: 10_000, pollMs: 20 });
    const admin = await follow(rig.h.key);
    expect(admin.status).toBe(200);
    rig.model.enqueue({ kind: 'tool_calls', toolCalls: [{ name: 'lookup', arguments: { order: 3 } }] });
    rig.model.enqueue({ text: 'Order 3 has shipped.' });
    const runId = await start('Where is order 3?', rig.h.key);
    await eventually(() => expect(admin.states(runId).at(-1)).toBe('succeeded'));
    const last = admin.events.filter((event) => event.event === 'run').at(-1)!;
    const run = JSON.parse(last.data) as RunRecord;
    expect(run).toMatchObject({ id: runId, output: { text: 'Order 3 has shipped.' } });
    expect(run.usage.modelCalls).toBe(2);
    expect(Number(last.id)).toBeGreaterThan(0);
    // A run that changed before the stream opened is not replayed; the end is told once.
    expect(admin.states(before)).toEqual([]);
    const states = admin.states(runId);
    expect(states.every((status) => ['queued', 'running', 'succeeded'].includes(status))).toBe(true);
    expect(states.filter((status) => status === 'succeeded')).toHaveLength(1);
  });

  it("never tells a member about other people's runs, only their own", async () => {
    const admin = await follow(rig.h.key);
    const member = await follow(rig.builderKey);
    expect(member.status).toBe(200);
    rig.model.enqueue({ text: 'The admin’s answer.' });
    const adminRun = await start('The admin’s task', rig.h.key);
    await eventually(() => expect(admin.states(adminRun).at(-1)).toBe('succeeded'));
    rig.model.enqueue({ text: 'The member’s answer.' });
    const memberRun = await start('The member’s task', rig.builderKey);
    // The member's stream scanned the admin's events before it reached its own run's end.
    await eventually(() => expect(member.states(memberRun).at(-1)).toBe('succeeded'));
    const told = new Set(member.events.map((event) => (JSON.parse(event.data) as RunRecord).id));
    expect([...told]).toEqual([memberRun]);
    // An admin sees every run of the workspace.
    await eventually(() => expect(admin.states(memberRun).at(-1)).toBe('succeeded'));
  });

  it('resumes after Last-Event-ID and refuses a malformed one', async () => {
    const admin = await follow(rig.h.key);
    rig.model.enqueue({ text: 'Resumed.' });
    const runId = await start('Resume me', rig.h.key);
    await eventually(() => expect(admin.states(runId).at(-1)).toBe('succeeded'));
    const first = admin.events.find((event) => JSON.parse(event.data).id === runId)!;
    // Reconnecting from the run's first change: its later state is told again, the earlier one is not.
    const again = await follow(rig.h.key, { 'last-event-id': first.id ?? '' });
    await eventually(() => expect(again.states(runId)).toEqual(['succeeded']));
    const bad = await fetch(`${rig.h.url}/api/runs/changes?after=-1`, {
      headers: { authorization: `Bearer ${rig.h.key}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('request.invalid');
    const anonymous = await fetch(`${rig.h.url}/api/runs/changes`);
    expect(anonymous.status).toBe(401);
  });

  // PGlite has one connection, so a write cannot commit out of order there; PostgreSQL's pool can.
  it.runIf(target.kind === 'postgres')(
    'tells of a change whose event committed after a later event was already sent',
    async () => {
      rig.model.enqueue({ text: 'Early.' });
      const early = await start('The early run', rig.h.key);
      await rig.h.agentOs.kernel.runs.wait(rig.h.workspaceId, early, { timeoutMs: 10_000, pollMs: 20 });
      const admin = await follow(rig.h.key);
      let commit: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        commit = resolve;
      });
      let written: () => void = () => {};
      const inserted = new Promise<void>((resolve) => {
        written = resolve;
      });
      // A write of the early run takes its event id now and commits only after the late run's events.
      const slow = rig.h.agentOs.store.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO run_events (run_id, type, data) VALUES ($1, 'run.cancel_requested', '{}')`,
          [early],
        );
        await tx.query('UPDATE runs SET cancel_requested = true, updated_at = now() WHERE id = $1', [early]);
        written();
        await held;
      });
      await inserted;
      rig.model.enqueue({ text: 'Late.' });
      const late = await start('The late run', rig.h.key);
      await eventually(() => expect(admin.states(late).at(-1)).toBe('succeeded'));
      const lateIds = admin.events.map((event) => Number(event.id));
      commit();
      await slow;
      await eventually(() => expect(admin.states(early)).toEqual(['succeeded']));
      const told = admin.events.find((event) => JSON.parse(event.data).id === early)!;
      expect(JSON.parse(told.data)).toMatchObject({ cancelRequested: true });
      // Its event id is below ones the stream had already sent.
      expect(Number(told.id)).toBeLessThan(Math.max(...lateIds));
    },
  );
});
