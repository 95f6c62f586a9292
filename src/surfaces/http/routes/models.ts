import { Hono } from 'hono';
import { z } from 'zod';
import { PRICES_AS_OF } from '../../../core/models/model-catalogue.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const modelsAnswer = z
  .object({
    providers: z.array(
      z.object({
        name: z.string(),
        kind: z.enum(['openai', 'anthropic', 'openai-compatible']),
        baseURL: z.string().optional(),
        status: z.enum(['ok', 'unreachable', 'not_configured']).meta({
          description:
            '`ok`: configured (a compatible server also answered `/models`); `unreachable`: a compatible server did not answer; `not_configured`: a provider that needs a key has none',
        }),
        message: z.string().optional().meta({ description: 'Why it is unreachable or not configured' }),
        modelSource: z.enum(['catalogue', 'provider', 'none']).meta({
          description:
            "Where its models come from: the built-in catalogue, the server's own `/models`, or nowhere",
        }),
      }),
    ),
    models: z.array(
      z.object({
        name: z.string().meta({ description: '`<provider>:<model>`, as agents name it' }),
        provider: z.string(),
        contextWindow: z.number().int(),
        maxOutputTokens: z.number().int(),
        inputUsdPerMillion: z.number().nullable().meta({ description: 'Null: no price known' }),
        outputUsdPerMillion: z.number().nullable(),
      }),
    ),
    pricesAsOf: z.string(),
  })
  .meta({ id: 'ModelProviders' });

/**
 * `GET /api/models`: the providers this server is configured with (names, kinds, endpoints and whether they
 * answer — never credentials) and the models they serve: the catalogue's for openai and anthropic (context
 * windows, list prices), and for an OpenAI-compatible server what its own `GET {baseURL}/models` lists
 * (default limits, no price; asked with a 2 s timeout, a good answer reused for 60 s).
 */
export function modelRoutes({ providerModels }: Pick<RouteDeps, 'providerModels'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/models',
      resource: 'workspace',
      summary: 'Configured model providers, whether they answer, and the models they serve',
      tags: ['agents'],
      action: 'agents.read',
      responses: { 200: { description: 'Providers and models', schema: modelsAnswer } },
    },
    async (c) => c.json({ ...(await providerModels.report()), pricesAsOf: PRICES_AS_OF }),
  );
  return api;
}
