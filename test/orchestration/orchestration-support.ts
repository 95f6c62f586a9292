import { randomUUID } from 'node:crypto';
import type { Kernel } from '../../src/core/kernel/kernel.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { signStandardWebhook } from '../../src/plugins/orchestration/webhook-signature.ts';
import type { KernelHarness } from '../support/kernel-harness.ts';
import { addMember } from '../support/members.ts';
import type { ScriptedModelServer } from '../support/scripted-model-server.ts';

/** Waits for the run to end or pause. */
export const settle = (kernel: Kernel, workspaceId: string, runId: string): Promise<RunRecord> =>
  kernel.runs.wait(workspaceId, runId, { timeoutMs: 15_000, pollMs: 20 });

/** A builder who is not the runs' user: for the 403 paths. Returns their API key. */
export async function otherUserKey(h: KernelHarness): Promise<string> {
  return (
    await addMember(h.agentOs.store, h.workspaceId, {
      email: 'eve@example.com',
      name: 'Eve',
      role: 'builder',
    })
  ).key;
}

export async function post(
  h: KernelHarness,
  path: string,
  body: unknown,
  key = h.key,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The tool results the model saw in its n-th request. */
export const toolMessages = (model: ScriptedModelServer, request: number): string[] =>
  (model.requests[request]?.body.messages ?? [])
    .filter((m) => m.role === 'tool')
    .map((m) => String(m.content));

/** POSTs a Standard Webhooks delivery (a fresh id and the current time unless given) to a trigger. */
export async function deliverStandard(
  url: string,
  triggerId: string,
  secret: string,
  body: string,
  options: { id?: string; timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(`${url}/hooks/${triggerId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature':
        options.signature ?? signStandardWebhook(secret, id, timestamp, Buffer.from(body, 'utf8')),
    },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}
