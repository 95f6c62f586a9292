import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { loadSecretBox } from '../../src/core/secrets/secret-box.ts';
import { migrate } from '../../src/core/store/migrate.ts';
import { migrations } from '../../src/core/store/migrations/index.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { Trigger } from '../../src/plugins/orchestration/trigger-repo.ts';
import { signStandardWebhook } from '../../src/plugins/orchestration/webhook-signature.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { deliverStandard } from './orchestration-support.ts';

const body = JSON.stringify({ type: 'invoice.paid', id: 'in_1' });
const now = () => Math.floor(Date.now() / 1000);

describe.each(storeTargets())('Standard Webhooks deliveries on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let trigger: Trigger;
  let secret: string;

  const runCount = async () =>
    (await h.agentOs.store.query<{ n: number }>('SELECT count(*)::int AS n FROM runs')).rows[0]?.n ?? 0;
  const deliver = (options: Parameters<typeof deliverStandard>[4] = {}, payload = body) =>
    deliverStandard(h.url, trigger.id, secret, payload, options);

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    await h.createAgent({ name: 'billing' });
    const created = await h.api<{ trigger: Trigger; secret: string; url: string }>('POST', '/api/triggers', {
      kind: 'webhook',
      agent: 'billing',
    });
    expect(created.status).toBe(201);
    ({ trigger, secret } = created.body);
    expect(created.body.url).toBe(`/hooks/${trigger.id}`);
    expect(trigger.signature).toBe('standard-webhooks');
    // whsec_ and the base64 of a 32-byte key; the list never shows it again.
    expect(Buffer.from(/^whsec_(.+)$/.exec(secret)?.[1] ?? '', 'base64')).toHaveLength(32);
    const listed = await h.api<{ triggers: Trigger[] }>('GET', '/api/triggers');
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(6));
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('starts one run per webhook-id: a replay inside the window answers with the first run', async () => {
    const id = 'msg_replayed';
    const timestamp = now();
    const first = await deliver({ id, timestamp });
    expect(first.status).toBe(202);
    const run = first.body.run as RunRecord;
    expect(run.input).toMatchObject({ untrusted: true });
    const count = await runCount();
    // The captured request, byte for byte.
    const replay = await deliver({ id, timestamp });
    expect([replay.status, (replay.body.run as RunRecord).id]).toEqual([200, run.id]);
    expect(await runCount()).toBe(count);
  });

  it('refuses a bad or missing signature with 401 and starts nothing', async () => {
    const before = await runCount();
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    const timestamp = now();
    const forged = signStandardWebhook(other, 'msg_forged', timestamp, Buffer.from(body));
    expect((await deliver({ id: 'msg_forged', timestamp, signature: forged })).body).toMatchObject({
      error: { code: 'auth.invalid' },
    });
    // Signed for another body, another id, or without the v1 prefix.
    const good = signStandardWebhook(secret, 'msg_x', timestamp, Buffer.from(body));
    expect((await deliver({ id: 'msg_x', timestamp, signature: good }, `${body} `)).status).toBe(401);
    expect((await deliver({ id: 'msg_y', timestamp, signature: good })).status).toBe(401);
    expect((await deliver({ id: 'msg_x', timestamp, signature: good.slice(3) })).status).toBe(401);
    const bare = await fetch(`${h.url}/hooks/${trigger.id}`, { method: 'POST', body });
    expect(bare.status).toBe(401);
    // The legacy body signature is not accepted on a Standard Webhooks trigger.
    const legacy = await fetch(`${h.url}/hooks/${trigger.id}`, {
      method: 'POST',
      headers: {
        'x-agentos-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        'x-agentos-delivery': 'd-1',
      },
      body,
    });
    expect(legacy.status).toBe(401);
    expect(await runCount()).toBe(before);
  });

  it('accepts any matching v1 entry of a space-separated list (a sender rotating secrets)', async () => {
    const timestamp = now();
    const old = signStandardWebhook(
      `whsec_${randomBytes(32).toString('base64')}`,
      'msg_rot',
      timestamp,
      Buffer.from(body),
    );
    const current = signStandardWebhook(secret, 'msg_rot', timestamp, Buffer.from(body));
    const answer = await deliver({ id: 'msg_rot', timestamp, signature: `${old} v2,abc ${current}` });
    expect(answer.status).toBe(202);
  });

  it('refuses a timestamp more than five minutes away with its own 401 code, however well signed', async () => {
    const before = await runCount();
    // A delivery captured six minutes ago and replayed now: the id has no run, the timestamp stops it.
    for (const timestamp of [now() - 360, now() + 360]) {
      const answer = await deliver({ id: `msg_stale_${timestamp}`, timestamp });
      expect([answer.status, answer.body]).toMatchObject([
        401,
        { error: { code: 'webhook.stale_timestamp' } },
      ]);
    }
    expect((await deliver({ id: 'msg_4min', timestamp: now() - 240 })).status).toBe(202);
    expect(await runCount()).toBe(before + 1);
  });
});

describe.each(storeTargets())('a webhook trigger made before Standard Webhooks on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  const triggerId = 'trg_legacy0000000000';
  const secret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    model = await startScriptedModelServer();
    const store = await target.open({ migrated: false });
    await migrate(
      store,
      migrations.filter((migration) => migration.version < 25),
    );
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
    });
    const agentId = await h.createAgent({ name: 'old-hook' });
    const owner = await store.query<{ user_id: string }>(
      'SELECT user_id FROM memberships WHERE workspace_id = $1 LIMIT 1',
      [h.workspaceId],
    );
    // The row as the previous release wrote it, then the upgrade.
    await store.query(
      `INSERT INTO triggers (id, workspace_id, kind, agent_id, owner_user_id, secret_sealed, daily_limit)
       VALUES ($1, $2, 'webhook', $3, $4, $5, 100)`,
      [
        triggerId,
        h.workspaceId,
        agentId,
        owner.rows[0]?.user_id ?? null,
        loadSecretBox(h.config.home).seal(secret, triggerId),
      ],
    );
    await migrate(store);
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  const deliver = async (delivery?: string) => {
    const response = await fetch(`${h.url}/hooks/${triggerId}`, {
      method: 'POST',
      headers: {
        'x-agentos-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        ...(delivery === undefined ? {} : { 'x-agentos-delivery': delivery }),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('keeps its body signature, now with a required and deduplicated delivery id', async () => {
    const listed = await h.api<{ triggers: Trigger[] }>('GET', '/api/triggers');
    expect(listed.body.triggers.map((t) => [t.id, t.signature])).toEqual([[triggerId, 'hmac-sha256-body']]);
    expect(await deliver()).toMatchObject({
      status: 400,
      body: { error: { code: 'webhook.delivery_id_required' } },
    });
    const first = await deliver('gh-1');
    expect(first.status).toBe(202);
    const again = await deliver('gh-1');
    expect([again.status, (again.body.run as RunRecord).id]).toEqual([200, (first.body.run as RunRecord).id]);
  });
});
