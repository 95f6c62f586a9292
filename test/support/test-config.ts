import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentOsConfig, configSchema } from '../../src/core/config/config-schema.ts';

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'agentos-test-'));
}

/**
 * Keys for the catalogue providers, so agents naming `openai:…` or `anthropic:…` pass the check at save; their
 * endpoint is a closed loopback port, so a test that runs such a model fails fast and never leaves the machine.
 */
export const TEST_CATALOGUE_PROVIDERS = {
  openai: { apiKey: 'sk-test-not-a-real-key', baseURL: 'http://127.0.0.1:9/v1' },
  anthropic: { apiKey: 'sk-ant-test-not-a-real-key', baseURL: 'http://127.0.0.1:9/v1' },
} as const;

/** A complete, valid configuration for in-process tests: loopback, a free port, a temp home. */
export function testConfig(overrides: Partial<AgentOsConfig> = {}): AgentOsConfig {
  return {
    ...configSchema.parse({
      home: tempHome(),
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      providers: { ...TEST_CATALOGUE_PROVIDERS, compatible: [] },
      worker: { concurrency: 8, leaseMs: 5_000, pollMs: 50 },
    }),
    ...overrides,
  };
}
