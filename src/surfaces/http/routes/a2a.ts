import { AgentCard } from '@a2a-js/sdk';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import { VersionNotSupportedError } from '@a2a-js/sdk/errors';
import { JsonRpcTransportHandler, ServerCallContext } from '@a2a-js/sdk/server';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { getAgent } from '../../../core/agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../../core/agents/agent-visibility.ts';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../../core/kernel/kernel.ts';
import { agentCard, workspaceCard } from '../../a2a/agent-cards.ts';
import { type A2AEndpoint, RunRequestHandler } from '../../a2a/run-request-handler.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { authenticate } from '../authenticate.ts';

const MAX_BODY_BYTES = 1_000_000;
const BLOCKING_TIMEOUT_MS = 120_000;
const SUPPORTED_VERSIONS = new Set(['1.0', '0.3']);

function origin(c: Context<AppEnv>): string {
  return new URL(c.req.url).origin;
}

/**
 * A2A (Agent2Agent): the public workspace card at `/.well-known/agent-card.json`, JSON-RPC at `/a2a`
 * (any agent the caller may run) and `/a2a/agents/:name` (one agent, with its own card), behind the
 * same Bearer keys as the API. Protocol 1.0 (`SendMessage` …), and 0.3 (`message/send` …) when a
 * request carries no `A2A-Version: 1.0` header.
 */
export function a2aRoutes({
  kernel,
  version,
  log,
}: Pick<RouteDeps, 'kernel' | 'version' | 'log'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/.well-known/agent-card.json', (c) => c.json(AgentCard.toJSON(workspaceCard(origin(c), version))));

  app.use('/a2a', authenticate(kernel.store, log));
  app.use('/a2a/*', authenticate(kernel.store, log));

  app.get('/a2a/agents/:name/.well-known/agent-card.json', async (c) => {
    const principal = c.get('principal');
    const agent = await getAgent(kernel.store, principal.workspaceId, c.req.param('name'));
    await assertUserSeesAgent(kernel.store, agent, principal.userId);
    return c.json(AgentCard.toJSON(agentCard(origin(c), version, agent)));
  });

  app.post('/a2a', (c) =>
    answer(c, kernel, { origin: origin(c), version, blockingTimeoutMs: BLOCKING_TIMEOUT_MS }, log),
  );
  app.post('/a2a/agents/:name', async (c) => {
    const principal = c.get('principal');
    // An agent the caller may not see answers like one that does not exist.
    const agent = await getAgent(kernel.store, principal.workspaceId, c.req.param('name'));
    await assertUserSeesAgent(kernel.store, agent, principal.userId);
    return answer(
      c,
      kernel,
      { origin: origin(c), version, agent: agent.name, blockingTimeoutMs: BLOCKING_TIMEOUT_MS },
      log,
    );
  });
  return app;
}

async function answer(
  c: Context<AppEnv>,
  kernel: Kernel,
  endpoint: A2AEndpoint,
  log: (message: string) => void,
): Promise<Response> {
  const body = await c.req.text();
  if (body.length > MAX_BODY_BYTES) {
    throw new AgentOsError('request.invalid', `The request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const requestedVersion = c.req.header('a2a-version')?.trim() || '0.3';
  const legacy = requestedVersion === '0.3';
  if (!SUPPORTED_VERSIONS.has(requestedVersion)) {
    const error = JsonRpcTransportHandler.mapToJSONRPCError(
      new VersionNotSupportedError(`A2A version ${requestedVersion} is not supported: use 1.0 or 0.3`),
    );
    return c.json({ jsonrpc: '2.0', id: null, error });
  }
  const principal = c.get('principal');
  const handler = new RunRequestHandler(
    kernel,
    { principal, authorizer: c.get('authorizer'), signal: c.req.raw.signal },
    endpoint,
    log,
  );
  const context = new ServerCallContext({
    requestedVersion,
    user: { isAuthenticated: true, userName: principal.userId },
  });
  const transport = legacy
    ? new LegacyJsonRpcTransportHandler(handler)
    : new JsonRpcTransportHandler(handler);
  const result = await transport.handle(body, context);
  if (!(Symbol.asyncIterator in result)) return c.json(result);
  const iterator = result[Symbol.asyncIterator]();
  // An error before the first event (unknown agent, no text) is a plain JSON-RPC error, not a stream.
  let first: IteratorResult<unknown>;
  try {
    first = await iterator.next();
  } catch (error) {
    return c.json({ jsonrpc: '2.0', id: requestId(body), error: mapError(error, legacy) });
  }
  return streamSSE(c, async (stream) => {
    try {
      if (!first.done) await stream.writeSSE({ data: JSON.stringify(first.value) });
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        await stream.writeSSE({ data: JSON.stringify(next.value) });
      }
    } catch (error) {
      log(`a2a stream: ${(error as Error).message}`);
      await stream.writeSSE({
        event: 'error',
        data: JSON.stringify({ jsonrpc: '2.0', id: requestId(body), error: mapError(error, legacy) }),
      });
    }
  });
}

function mapError(error: unknown, legacy: boolean) {
  return legacy
    ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(error)
    : JsonRpcTransportHandler.mapToJSONRPCError(error);
}

function requestId(body: string): string | number | null {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}
