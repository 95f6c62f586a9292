// One `agentos worker` process of the two-worker scenario: startAgentOs with the worker role only, on the
// shared PostgreSQL database, with the bench's lookup tool. Prints {"ready":true} once it claims runs; on
// SIGTERM stops gracefully and prints {"toolCalls":n}, the tool steps it executed.
// Usage: node --import tsx bench/kernel/worker-process.ts '<WorkerProcessRequest JSON>'
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { benchConfig, type ProviderLimits } from './peers/agent-os.ts';
import { lookup, TOOL_DESCRIPTION, TOOL_NAME } from './workload.ts';

export interface WorkerProcessRequest {
  databaseUrl: string;
  baseURL: string;
  concurrency: number;
  toolMs: number;
  limits: ProviderLimits;
}

const request = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessRequest;
const home = mkdtempSync(join(tmpdir(), 'agentos-bench-worker-'));
let toolCalls = 0;
const lookupTool = defineTool({
  name: TOOL_NAME,
  description: TOOL_DESCRIPTION,
  inputSchema: z.object({ query: z.string() }),
  idempotent: true,
  effect: 'read',
  execute: async ({ query }) => {
    toolCalls++;
    return lookup(query, request.toolMs);
  },
});
const config = benchConfig(request.baseURL, request.concurrency, request.limits, {
  home,
  databaseUrl: request.databaseUrl,
});
const agentOs = await startAgentOs(config, {
  roles: ['worker'],
  tools: new ToolRegistry([lookupTool]),
  // Audit checkpoints are routine here (one per few hundred events); anything else is worth seeing.
  log: (message) => {
    if (!message.startsWith('audit checkpoint')) process.stderr.write(`agent-os: ${message}\n`);
  },
});
process.stdout.write(`${JSON.stringify({ ready: true, workerId: agentOs.worker?.id ?? null })}\n`);
process.once('SIGTERM', () => {
  void agentOs
    .stop()
    .finally(() => rmSync(home, { recursive: true, force: true }))
    .then(() => {
      process.stdout.write(`${JSON.stringify({ toolCalls })}\n`);
      process.exit(0);
    });
});
