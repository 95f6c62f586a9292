/**
 * What the API exposes, one line each, sorted: the OpenAPI operations (`METHOD path operationId resource`)
 * and every route the assembled app registers (`ROUTE METHOD path`). Diff two runs to check that a
 * refactoring of the route table changed nothing a client or the matrix sees.
 *
 *   node --import tsx scripts/route-inventory.ts [--document]
 *
 * `--document` prints the whole served OpenAPI document instead (JSON, keys sorted).
 */
import { pathToFileURL } from 'node:url';
import { withThrowawayApi } from '../src/runtime/served-openapi-document.ts';

type Operations = Record<string, Record<string, { operationId?: string; 'x-agentos-resource'?: string }>>;

/** The served document and the sorted inventory lines of an API process on a throwaway home and store. */
export function routeInventory(): Promise<{ document: Record<string, unknown>; lines: string[] }> {
  return withThrowawayApi(async (agentOs) => {
    const response = await fetch(`${agentOs.http?.url}/api/openapi.json`);
    const document = (await response.json()) as Record<string, unknown>;
    const operations = Object.entries(document.paths as Operations).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, operation]) =>
          `${method.toUpperCase()} ${path} ${operation.operationId} ${operation['x-agentos-resource']}`,
      ),
    );
    const routes = (agentOs.app?.routes ?? []).map((route) => `ROUTE ${route.method} ${route.path}`);
    return { document, lines: [...operations, ...new Set(routes)].sort() };
  });
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => [key, sortedKeys(item)]),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { document, lines } = await routeInventory();
  const text = process.argv.includes('--document')
    ? JSON.stringify(sortedKeys(document), null, 2)
    : lines.join('\n');
  process.stdout.write(`${text}\n`);
}
