import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentOsConfig, configSchema } from '../../src/core/config/config-schema.ts';

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'agentos-test-'));
}

/** A complete, valid configuration for in-process tests: loopback, a free port, a temp home. */
export function testConfig(overrides: Partial<AgentOsConfig> = {}): AgentOsConfig {
  return {
    ...configSchema.parse({
      home: tempHome(),
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      providers: { compatible: [] },
      worker: { concurrency: 8, leaseMs: 5_000, pollMs: 50 },
    }),
    ...overrides,
  };
}
