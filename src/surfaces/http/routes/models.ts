import { Hono } from 'hono';
import { z } from 'zod';
import { MODEL_CATALOGUE, modelInfo, PRICES_AS_OF } from '../../../core/models/model-catalogue.ts';
import { createModelRegistry, type ProviderKind } from '../../../core/models/provider-registry.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, ServerDeps } from '../app-env.ts';

const catalogueKind: Partial<Record<ProviderKind, keyof typeof MODEL_CATALOGUE>> = {
  openai: 'openai',
  anthropic: 'anthropic',
};

const modelsAnswer = z
  .object({
    providers: z.array(
      z.object({
        name: z.string(),
        kind: z.enum(['openai', 'anthropic', 'openai-compatible']),
        baseURL: z.string().optional(),
      }),
    ),
    models: z.array(
      z.object({
        name: z.string().meta({ description: '`<provider>:<model>`, as agents name it' }),
        contextWindow: z.number().int(),
        maxOutputTokens: z.number().int(),
        inputUsdPerMillion: z.number(),
        outputUsdPerMillion: z.number(),
      }),
    ),
    pricesAsOf: z.string(),
  })
  .meta({ id: 'ModelProviders' });

/**
 * `GET /api/models`: the providers this server is configured with (names, kinds and endpoints — never
 * credentials) and the catalogue's models they serve, with context windows and list prices, so a builder
 * can pick a model the server can actually reach. OpenAI-compatible servers list no catalogue: any model
 * name they accept works (with default limits and no price).
 */
export function modelRoutes(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  // The providers come from the configuration, fixed for the life of the process: answered from one value.
  const providers = createModelRegistry(deps.config.providers).configuredProviders();
  const models = providers.flatMap((provider) => {
    const catalogue = catalogueKind[provider.kind];
    if (catalogue === undefined) return [];
    return Object.keys(MODEL_CATALOGUE[catalogue] ?? {}).map((model) => {
      const info = modelInfo(catalogue, model);
      return {
        name: `${provider.name}:${model}`,
        contextWindow: info.contextWindow,
        maxOutputTokens: info.maxOutputTokens,
        inputUsdPerMillion: info.inputUsdPerMillion,
        outputUsdPerMillion: info.outputUsdPerMillion,
      };
    });
  });
  const answer = { providers, models, pricesAsOf: PRICES_AS_OF };

  defineRoute(
    api,
    {
      method: 'get',
      path: '/models',
      resource: 'workspace',
      summary: 'Configured model providers and the models they serve',
      tags: ['agents'],
      action: 'agents.read',
      responses: { 200: { description: 'Providers and models', schema: modelsAnswer } },
    },
    async (c) => c.json(answer),
  );
  return api;
}
