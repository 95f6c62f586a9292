import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { configSchema } from '../../src/core/config/config-schema.ts';
import { probeProviders } from '../../src/surfaces/cli/provider-probe.ts';

type Providers = ReturnType<typeof configSchema.parse>['providers'];

/** A loopback server: `/hang/v1/models` never answers, `/html/v1/models` answers a page, not a model list. */
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/html/v1/models') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>');
      return;
    }
    if (req.url === '/gone/v1/models') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    // /hang/…: keeps the request open, like a host that accepts and never answers.
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const compatible = (name: string, path: string): Providers => ({
  compatible: [{ name, baseURL: `${base}/${path}/v1` }],
});

describe('provider probes', () => {
  it('fails a provider that accepts the connection and never answers, within the timeout', async () => {
    const started = Date.now();
    const [check] = await probeProviders(compatible('slow', 'hang'), 300);
    expect(check).toEqual({
      name: 'provider slow',
      ok: false,
      detail: `GET ${base}/hang/v1/models: no answer within 300 ms`,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails an answer that is not a model list, and an error status', async () => {
    const [html] = await probeProviders(compatible('proxy', 'html'));
    expect(html).toEqual({
      name: 'provider proxy',
      ok: false,
      detail: `GET ${base}/html/v1/models: HTTP 200 but not a model list`,
    });
    const [gone] = await probeProviders(compatible('gone', 'gone'));
    expect(gone?.detail).toBe(`GET ${base}/gone/v1/models: HTTP 404`);
  });

  it('asks nothing when no provider is configured', async () => {
    expect(await probeProviders({ compatible: [] })).toEqual([]);
  });
});
