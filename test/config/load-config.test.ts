import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/load-config.ts';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import { tempHome } from '../support/test-config.ts';

function configError(run: () => unknown): AgentOsError {
  try {
    run();
  } catch (error) {
    if (error instanceof AgentOsError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('gives working defaults with no file and no environment', () => {
    const cwd = tempHome();
    const config = loadConfig({ env: {}, cwd });
    expect(config).toMatchObject({ home: join(cwd, '.agentos'), host: '127.0.0.1', port: 7070 });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('lets the environment override the file', () => {
    const cwd = tempHome();
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ port: 8080, host: '0.0.0.0' }));
    const config = loadConfig({ env: { PORT: '9090', AGENTOS_HOME: '/var/lib/agentos' }, cwd });
    expect(config).toMatchObject({ port: 9090, host: '0.0.0.0', home: '/var/lib/agentos' });
  });

  it('takes the audit anchor file from the file or AGENTOS_AUDIT_ANCHOR_FILE, relative to the working directory', () => {
    const cwd = tempHome();
    expect(loadConfig({ env: {}, cwd }).audit).toBeUndefined();
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ audit: { anchorFile: 'anchors.log' } }));
    expect(loadConfig({ env: {}, cwd }).audit).toEqual({ anchorFile: join(cwd, 'anchors.log') });
    const env = { AGENTOS_AUDIT_ANCHOR_FILE: '/mnt/worm/agentos-anchors.log' };
    expect(loadConfig({ env, cwd }).audit).toEqual({ anchorFile: '/mnt/worm/agentos-anchors.log' });
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ audit: { anchorFile: '' } }));
    expect(configError(() => loadConfig({ env: {}, cwd })).message).toMatch(/audit\.anchorFile/);
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ audit: { anchor: 'x' } }));
    expect(configError(() => loadConfig({ env: {}, cwd })).code).toBe('config.invalid');
  });

  it('configures providers from the environment', () => {
    const config = loadConfig({
      env: {
        OPENAI_API_KEY: 'sk-test',
        AGENTOS_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1',
        AGENTOS_COMPATIBLE_NAME: 'ollama',
      },
      cwd: tempHome(),
    });
    expect(config.providers.openai?.apiKey).toBe('sk-test');
    expect(config.providers.compatible).toEqual([{ name: 'ollama', baseURL: 'http://127.0.0.1:11434/v1' }]);
  });

  it('names the key and the problem for an invalid value', () => {
    const error = configError(() => loadConfig({ env: { PORT: 'seventy' }, cwd: tempHome() }));
    expect(error.code).toBe('config.invalid');
    expect(error.message).toMatch(/port/);
    const url = configError(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' }, cwd: tempHome() }));
    expect(url.message).toMatch(/databaseUrl: must be a postgres/);
  });

  it('consolidates memories every 10 minutes unless configured (0 disables)', () => {
    expect(loadConfig({ env: {}, cwd: tempHome() }).memory).toEqual({ consolidateEveryMs: 600_000 });
    const cwd = tempHome();
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ memory: { consolidateEveryMs: 0 } }));
    expect(loadConfig({ env: {}, cwd }).memory.consolidateEveryMs).toBe(0);
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ memory: { consolidateEveryMs: -5 } }));
    expect(configError(() => loadConfig({ env: {}, cwd })).message).toMatch(/memory\.consolidateEveryMs/);
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ memory: { everyMs: 5 } }));
    expect(configError(() => loadConfig({ env: {}, cwd })).message).toMatch(/everyMs/);
  });

  it('rejects unknown keys and malformed JSON in the file', () => {
    const cwd = tempHome();
    writeFileSync(join(cwd, 'agentos.config.json'), JSON.stringify({ prot: 1 }));
    expect(configError(() => loadConfig({ env: {}, cwd })).message).toMatch(/prot/);
    writeFileSync(join(cwd, 'agentos.config.json'), '{ "port": 1,');
    expect(configError(() => loadConfig({ env: {}, cwd })).message).toMatch(/not valid JSON/);
  });

  it('fails clearly when an explicit config file is missing', () => {
    const error = configError(() => loadConfig({ env: { AGENTOS_CONFIG: 'nope.json' }, cwd: tempHome() }));
    expect(error.message).toMatch(/does not exist/);
  });
});
