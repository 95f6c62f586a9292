import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';
import type { AppEnv } from './app-env.ts';

/** Where `npm run build:console` writes the web console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Paths the console never answers: the API, MCP, webhook and A2A endpoints keep their own 404s. */
const NOT_CONSOLE = /^\/(api|mcp|hooks|a2a|\.well-known)(\/|$)/;

/** The console talks only to this origin; recharts sets inline styles, hence 'unsafe-inline' for styles only. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Agent OS</title></head>
<body><main><h1>Agent OS</h1>
<p>The web console has not been built. Run <code>npm run build:console</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p>The API is at <a href="/api/health">/api/health</a>.</p></main></body></html>`;

async function fileIn(root: string, requestPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const path = resolve(root, `.${normalize(`/${decoded}`)}`);
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return undefined;
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

async function send(c: Context<AppEnv>, path: string, cacheControl: string): Promise<Response> {
  const body = await readFile(path);
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cacheControl,
  };
  return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

/**
 * Serves the built console at `/`: files as they are (hashed `/assets/*` cached for a year), and
 * index.html for every other path so the console's own routes survive a reload. Mounted last, at `/`.
 */
export function consoleRoutes(dist: string = CONSOLE_DIST): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const root = resolve(dist);
  const handler = async (c: Context<AppEnv>) => {
    const { pathname } = new URL(c.req.url);
    if (NOT_CONSOLE.test(pathname)) return c.notFound();
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      return c.html(MISSING_BUILD, 200, { 'cache-control': 'no-store', ...SECURITY_HEADERS });
    }
    const file = pathname === '/' ? undefined : await fileIn(root, pathname);
    if (file !== undefined) {
      const hashed = pathname.startsWith('/assets/');
      return send(c, file, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    // A missing asset is a 404, not the app: a stale tab asking for an old bundle should fail loudly.
    if (pathname.startsWith('/assets/')) return c.notFound();
    return send(c, index, 'no-cache');
  };
  app.get('*', handler);
  app.on('HEAD', '*', handler);
  return app;
}
