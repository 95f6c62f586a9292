import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config/load-config.ts';
import { type AgentOsProcess, startAgentOs } from './start-agent-os.ts';

/** Runs `use` against an API process on a throwaway home and store, then stops it and removes the home. */
export async function withThrowawayApi<T>(use: (agentOs: AgentOsProcess) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'agentos-openapi-'));
  try {
    // Defaults only: no config file, no environment (a database URL there must not be touched).
    const config = loadConfig({
      env: { AGENTOS_HOME: home, PORT: '0', AGENTOS_LOG_LEVEL: 'error' },
      cwd: home,
    });
    const agentOs = await startAgentOs(config, { roles: ['api'], log: () => {} });
    try {
      return await use(agentOs);
    } finally {
      await agentOs.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The OpenAPI document exactly as a server serves it: an API process on a throwaway home and store. */
export function servedOpenApiDocument(): Promise<Record<string, unknown>> {
  return withThrowawayApi(async (agentOs) => {
    const response = await fetch(`${agentOs.http?.url}/api/openapi.json`);
    return (await response.json()) as Record<string, unknown>;
  });
}
