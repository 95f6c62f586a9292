// A loopback OpenAI-compatible endpoint that answers only `GET /v1/models`, and records who asked with what.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelListServer {
  /** Base URL ending in /v1. */
  url: string;
  /** The `authorization` header of every `GET /v1/models`, in order (`null` when absent). */
  asked: (string | null)[];
  close(): Promise<void>;
}

export async function startModelListServer(models: readonly string[]): Promise<ModelListServer> {
  const asked: (string | null)[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      asked.push(req.headers.authorization ?? null);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model' })) }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'not found' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL nothing listens on: a port that was free a moment ago (the server is closed again). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
