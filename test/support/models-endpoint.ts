import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelsEndpoint {
  /** Base URL ending in /v1, as a provider's baseURL. */
  url: string;
  /** The headers of every GET /v1/models, in arrival order. */
  requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * A provider's `GET /v1/models` on loopback: it answers a model list when `accepts` the request's
 * headers, and 401 with the provider's error body otherwise.
 */
export function startModelsEndpoint(
  accepts: (headers: IncomingHttpHeaders) => boolean,
): Promise<ModelsEndpoint> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/v1/models') {
      res.writeHead(404).end();
      return;
    }
    requests.push(req.headers);
    const ok = accepts(req.headers);
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        ok
          ? { object: 'list', data: [{ id: 'model-a' }, { id: 'model-b' }] }
          : { error: { type: 'authentication_error', message: 'invalid x-api-key' } },
      ),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A loopback URL nothing listens on: a port that was just bound and released. */
export async function refusedUrl(): Promise<string> {
  const endpoint = await startModelsEndpoint(() => true);
  await endpoint.close();
  return endpoint.url;
}
