import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/surfaces/http/app-env.ts';
import { defineRoute, type RouteSpec } from '../../src/surfaces/openapi/define-route.ts';

const spec = (extra: Partial<RouteSpec>): RouteSpec => ({
  method: 'get',
  path: '/things',
  summary: 'Things',
  tags: ['things'],
  resource: 'workspace',
  responses: { 200: { description: 'ok' } },
  ...extra,
});

describe('defineRoute', () => {
  it('refuses, when the app is assembled, a route that declares no resource kind', () => {
    const router = new Hono<AppEnv>();
    expect(() => defineRoute(router, spec({ resource: undefined as never }), (c) => c.json({}))).toThrow(
      /GET \/things declares no resource kind/,
    );
    expect(() => defineRoute(router, spec({ resource: 'thing' as never }), (c) => c.json({}))).toThrow(
      /declares no resource kind/,
    );
    expect(() => defineRoute(router, spec({ resource: 'none' }), (c) => c.json({}))).toThrow(
      /only a public route may act on no resource/,
    );
    expect(() => defineRoute(router, spec({}), (c) => c.json({}))).not.toThrow();
  });
});
