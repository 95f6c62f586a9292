import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { readSse } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { EVERYTHING_SERVER, type McpHarness, startMcpHarness } from './mcp-harness.ts';

const SECRET = 'sk-live-9f8e7d6c5b4a3210-top-secret-value';
const HEADER_SECRET = 'Bearer hdr-0123456789abcdef-secret';

describe.each(storeTargets())('MCP server credentials on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: McpHarness;
  const printed: string[] = [];
  const originalStdout = process.stdout.write.bind(process.stdout);
  const originalStderr = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    // Everything this process prints during the test is kept (and still printed).
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      printed.push(String(chunk));
      return originalStdout(chunk, ...rest);
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      printed.push(String(chunk));
      return originalStderr(chunk, ...rest);
    }) as typeof process.stderr.write;
    model = await startScriptedModelServer();
    h = await startMcpHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry(),
    });
    await h.createAgent({ name: 'snoop', tools: ['vault__get-env', 'remote__anything'] });
  }, 60_000);
  afterAll(async () => {
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
    await h.agentOs.stop();
    await model.close();
  });

  it('never shows a secret in API answers, run events, steps, the audit log, logs or output', async () => {
    const seen: string[] = [];
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await h.api(method, path, body);
      seen.push(response.text);
      return response;
    };
    const created = await api('POST', '/api/mcp/servers', {
      name: 'vault',
      transport: 'stdio',
      command: 'node',
      args: [EVERYTHING_SERVER],
      env: { API_TOKEN: SECRET },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ server: { secretNames: { env: ['API_TOKEN'], headers: [] } } });
    const remote = await api('POST', '/api/mcp/servers', {
      name: 'remote',
      transport: 'http',
      url: 'http://127.0.0.1:9/mcp',
      headers: { Authorization: HEADER_SECRET },
    });
    expect(remote.body).toMatchObject({ server: { secretNames: { env: [], headers: ['Authorization'] } } });
    await api('GET', '/api/mcp/servers');
    await api('GET', '/api/mcp/servers/vault/tools');
    // The http server is unreachable: the error names the server, not its credentials.
    const unreachable = await api('GET', '/api/mcp/servers/remote/tools');
    expect(unreachable.status).toBe(502);

    // The server echoes its whole environment; the secret comes back redacted.
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'vault__get-env', arguments: {} },
          { name: 'remote__anything', arguments: {} },
        ],
      },
      { text: 'looked' },
    );
    const run = await api('POST', '/api/runs', { agent: 'snoop', task: 'Print env', wait: true });
    const runId = (run.body as { run: { id: string; status: string } }).run.id;
    expect((run.body as { run: { status: string } }).run.status).toBe('succeeded');
    const toolMessage = model.requests[1]?.body.messages.find((m) => m.role === 'tool');
    expect(String(toolMessage?.content)).toContain('API_TOKEN');
    expect(String(toolMessage?.content)).toContain('[redacted]');
    await api('GET', `/api/runs/${runId}`);
    await api('GET', `/api/runs/${runId}/steps`);
    const events = await fetch(`${h.url}/api/runs/${runId}/events`, {
      headers: { authorization: `Bearer ${h.key}` },
    });
    seen.push(JSON.stringify(await readSse(events)));

    const store = h.agentOs.store;
    const dump = async (sql: string) => JSON.stringify((await store.query(sql)).rows);
    seen.push(await dump('SELECT * FROM run_events'), await dump('SELECT * FROM run_steps'));
    seen.push(await dump('SELECT * FROM runs'), await dump('SELECT * FROM mcp_servers'));
    const auditTable = await store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'audit_log'",
    );
    if ((auditTable.rows[0]?.n ?? 0) > 0) seen.push(await dump('SELECT * FROM audit_log'));
    seen.push(JSON.stringify(model.requests.map((r) => r.body)));
    seen.push(...h.logs, ...printed);

    const everything = seen.join('\n');
    expect(everything).toContain('API_TOKEN');
    for (const secret of [SECRET, HEADER_SECRET, 'hdr-0123456789abcdef-secret']) {
      expect(everything).not.toContain(secret);
    }
  });
});
