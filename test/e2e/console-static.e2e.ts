import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/surfaces/http/app-env.ts';
import { consoleRoutes } from '../../src/surfaces/http/console-static.ts';

function appServing(dist: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/api/health', (c) => c.json({ ok: true }));
  app.route('/', consoleRoutes(dist));
  return app;
}

describe('serving the console build', () => {
  it('says how to build the console when console/dist is missing', async () => {
    const app = appServing(join(mkdtempSync(join(tmpdir(), 'console-')), 'dist'));
    const response = await app.request('/agents');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('npm run build:console');
    expect((await app.request('/api/health')).status).toBe(200);
  });

  it('serves files with their types and caching, falls back to index.html, and stays inside dist', async () => {
    const root = mkdtempSync(join(tmpdir(), 'console-'));
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'app-1a2b3c.css'), 'body{}');
    writeFileSync(join(root, 'secret.txt'), 'do not serve');
    const app = appServing(dist);

    const js = await app.request('/assets/app-1a2b3c.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await app.request('/assets/app-1a2b3c.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );

    const page = await app.request('/runs/run_123');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>console</title>');

    expect((await app.request('/assets/gone.js')).status).toBe(404);
    for (const path of ['/api/unknown', '/mcp', '/a2a/agents/x', '/.well-known/other.json']) {
      expect((await app.request(path)).status).toBe(404);
    }
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
    ]) {
      expect(await (await app.request(path)).text()).not.toContain('do not serve');
    }
    const head = await app.request('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
