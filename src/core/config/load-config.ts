import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AgentOsError, describeIssues } from '../errors/agent-os-error.ts';
import { type AgentOsConfig, configSchema } from './config-schema.ts';

export const CONFIG_FILE_NAME = 'agentos.config.json';

type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AgentOsError('config.invalid', `Cannot read config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AgentOsError(
      'config.invalid',
      `Config file ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (!isObject(parsed))
    throw new AgentOsError('config.invalid', `Config file ${path} must hold a JSON object`);
  return parsed;
}

/** Environment variables that override the file, and where each lands. */
function fromEnv(env: Env, file: Json): Json {
  const out: Json = { ...file };
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') out[key] = value;
  };
  set('home', env.AGENTOS_HOME);
  set('databaseUrl', env.DATABASE_URL);
  set('host', env.HOST);
  set('port', env.PORT);
  set('logLevel', env.AGENTOS_LOG_LEVEL);

  const providers: Json = isObject(file.providers) ? { ...file.providers } : {};
  if (env.OPENAI_API_KEY) {
    const current = isObject(providers.openai) ? providers.openai : {};
    providers.openai = {
      ...current,
      apiKey: env.OPENAI_API_KEY,
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    const current = isObject(providers.anthropic) ? providers.anthropic : {};
    providers.anthropic = { ...current, apiKey: env.ANTHROPIC_API_KEY };
  }
  if (env.AGENTOS_COMPATIBLE_BASE_URL) {
    const list = Array.isArray(providers.compatible) ? [...providers.compatible] : [];
    list.push({
      name: env.AGENTOS_COMPATIBLE_NAME ?? 'local',
      baseURL: env.AGENTOS_COMPATIBLE_BASE_URL,
      ...(env.AGENTOS_COMPATIBLE_API_KEY ? { apiKey: env.AGENTOS_COMPATIBLE_API_KEY } : {}),
    });
    providers.compatible = list;
  }
  out.providers = { compatible: [], ...providers };

  const worker: Json = {
    concurrency: 32,
    leaseMs: 15_000,
    pollMs: 250,
    ...(isObject(file.worker) ? file.worker : {}),
  };
  if (env.AGENTOS_WORKER_CONCURRENCY) worker.concurrency = env.AGENTOS_WORKER_CONCURRENCY;
  if (env.AGENTOS_LEASE_MS) worker.leaseMs = env.AGENTOS_LEASE_MS;
  if (env.AGENTOS_POLL_MS) worker.pollMs = env.AGENTOS_POLL_MS;
  out.worker = worker;
  if (env.AGENTOS_AUDIT_ANCHOR_FILE) {
    out.audit = { ...(isObject(file.audit) ? file.audit : {}), anchorFile: env.AGENTOS_AUDIT_ANCHOR_FILE };
  }
  return out;
}

export interface LoadConfigOptions {
  env?: Env;
  cwd?: string;
  /** Explicit config file; otherwise AGENTOS_CONFIG, then ./agentos.config.json if present. */
  configPath?: string;
}

/** Builds the configuration from defaults, the optional file and the environment; throws `config.invalid`. */
export function loadConfig(options: LoadConfigOptions = {}): AgentOsConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configPath ?? env.AGENTOS_CONFIG;
  const path = explicit !== undefined ? resolve(cwd, explicit) : resolve(cwd, CONFIG_FILE_NAME);
  if (explicit !== undefined && !existsSync(path)) {
    throw new AgentOsError('config.invalid', `Config file ${path} does not exist`);
  }
  const file = existsSync(path) ? readConfigFile(path) : {};
  const merged = { home: '.agentos', host: '127.0.0.1', port: 7070, logLevel: 'info', ...fromEnv(env, file) };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new AgentOsError(
      'config.invalid',
      `Invalid configuration: ${describeIssues(result.error.issues)}`,
      {
        issues: result.error.issues.map((issue) => ({ key: issue.path.join('.'), message: issue.message })),
      },
    );
  }
  const config = { ...result.data, home: resolve(cwd, result.data.home) };
  const anchorFile = config.audit?.anchorFile;
  return anchorFile === undefined ? config : { ...config, audit: { anchorFile: resolve(cwd, anchorFile) } };
}
