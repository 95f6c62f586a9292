import type { Context, MiddlewareHandler } from 'hono';
import type { CedarEntity } from '../../plugins/policy/cedar/cedar-entities.ts';
import type { CedarAction } from '../../plugins/policy/cedar/cedar-schema.ts';
import type { AppEnv } from './app-env.ts';

/** The one gate for routes: `api.post('/agents', authorizeAction('agents.create'), …)`. */
export function authorizeAction(
  action: CedarAction,
  resourceOf?: (c: Context<AppEnv>) => CedarEntity | Promise<CedarEntity>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await c.get('authorizer').assert(action, resourceOf === undefined ? undefined : await resourceOf(c));
    await next();
  };
}
