import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { Trigger } from '../../src/plugins/orchestration/trigger-repo.ts';
import { WebhookRateLimiter } from '../../src/plugins/orchestration/webhook-rate-limit.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { deliverStandard } from './orchestration-support.ts';

interface Upload {
  status: number;
  code: string | undefined;
  /** Body bytes handed to the socket before the answer came (or the connection closed). */
  written: number;
}

/**
 * Sends up to `total` bytes to `path` in 64 KB chunks, chunked unless `contentLength` is declared, and stops
 * writing as soon as an answer arrives. `pauseMs` between chunks keeps the socket buffers from absorbing the
 * whole body before the server has had a chance to answer.
 */
function upload(
  url: string,
  path: string,
  options: { total: number; pauseMs: number; contentLength?: number },
): Promise<Upload> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.contentLength === undefined ? {} : { 'content-length': String(options.contentLength) }),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const code = text === '' ? undefined : (JSON.parse(text) as { error?: { code: string } }).error?.code;
        resolve({ status: res.statusCode ?? 0, code, written });
        req.destroy();
      });
    });
    // The server closing the connection mid-upload is expected; only a failure before any answer is one.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = async () => {
      while (!answered && written < options.total && !req.destroyed) {
        const ok = req.write(chunk);
        written += chunk.length;
        if (!ok) await new Promise((done) => req.once('drain', done));
        if (options.pauseMs > 0) await new Promise((done) => setTimeout(done, options.pauseMs));
      }
      if (!answered && !req.destroyed) req.end();
    };
    void pump();
  });
}

describe.each(storeTargets())('webhook body limit and rate on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let trigger: Trigger;
  let secret: string;

  beforeAll(async () => {
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      roles: ['api'],
      orchestration: { webhookRate: { perMinute: 6, burst: 4 } },
    });
    await h.createAgent({ name: 'intake' });
    const created = await h.api<{ trigger: Trigger; secret: string }>('POST', '/api/triggers', {
      kind: 'webhook',
      agent: 'intake',
    });
    ({ trigger, secret } = created.body);
  });
  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('refuses a declared Content-Length over 256 KB at once, before reading the body', async () => {
    // 300 MB announced, 64 KB sent: the answer comes without the server waiting for the rest.
    const answer = await upload(h.url, `/hooks/${trigger.id}`, {
      total: 64 * 1024,
      pauseMs: 50,
      contentLength: 300 * 1024 * 1024,
    });
    expect([answer.status, answer.code]).toEqual([413, 'request.too_large']);
  });

  it('cuts a chunked body off once it passes 256 KB, without reading (or holding) the rest', async () => {
    const total = 5 * 1024 * 1024;
    const answer = await upload(h.url, `/hooks/${trigger.id}`, { total, pauseMs: 2 });
    expect([answer.status, answer.code]).toEqual([413, 'request.too_large']);
    expect(answer.written).toBeLessThan(total / 2);

    // As fast as the socket takes it, 64 MB: the server's memory does not grow by anything like the body.
    const rssBefore = process.memoryUsage().rss;
    const fast = await upload(h.url, `/hooks/${trigger.id}`, { total: 64 * 1024 * 1024, pauseMs: 0 });
    const grown = process.memoryUsage().rss - rssBefore;
    expect(fast.status).toBe(413);
    expect(fast.written).toBeLessThan(16 * 1024 * 1024);
    expect(grown).toBeLessThan(32 * 1024 * 1024);
  });

  it('answers 429 with Retry-After once a trigger has used its burst, other triggers unaffected', async () => {
    // The three uploads above used three of the burst of 4: one more gets through.
    const body = JSON.stringify({ hello: 'world' });
    const third = await deliverStandard(h.url, trigger.id, secret, body);
    expect(third.status).toBe(202);
    const limited = await deliverStandard(h.url, trigger.id, secret, body);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'trigger.rate_limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const other = await deliverStandard(h.url, 'trg_unknown', secret, body);
    expect(other.status).toBe(401);
  });
});

describe('webhook rate limiter', () => {
  it('refills at the configured rate up to the burst and names the wait', () => {
    let now = 0;
    const limiter = new WebhookRateLimiter({ perMinute: 60, burst: 2 }, () => now);
    expect([limiter.take('a').ok, limiter.take('a').ok]).toEqual([true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').ok).toBe(true);
    now += 1_000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    now += 60_000;
    expect([limiter.take('a').ok, limiter.take('a').ok, limiter.take('a').ok]).toEqual([true, true, false]);
  });
});
