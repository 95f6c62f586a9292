import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CellKey, MATRIX, type MatrixEntry } from '../support/matrix-entries.ts';
import { FIXTURES, type Fixture, SUB_FIXTURES } from '../support/matrix-fixtures.ts';
import { type Expected, expectedStatus, sees } from '../support/matrix-rule.ts';
import {
  type Answer,
  ownerIn,
  type Person,
  PRINCIPALS,
  type Principal,
  personOf,
  SITUATIONS,
  type Situation,
  startMatrixWorld,
  type World,
} from '../support/matrix-world.ts';
import { storeTargets } from '../support/test-stores.ts';

/**
 * Issue 15: the permission matrix, generated from the served OpenAPI document. Every operation × {admin,
 * builder, user, read-only key} × {own item, another user's, the restricted space's, another workspace's}
 * (collection operations: one cell per principal) must answer what matrix-rule.ts says, and no answer may hold
 * an id or a marker of something its caller may not see.
 */
interface Operation {
  key: string;
  method: string;
  path: string;
  resource: string;
  params: string[];
}

interface Outcome {
  cell: string;
  expected: Expected;
  status: number;
  note?: string;
}

const operationsOf = (doc: { paths: Record<string, Record<string, { 'x-agentos-resource'?: string }>> }) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, op]): Operation => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        resource: op['x-agentos-resource'] ?? 'none',
        params: [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string),
      }),
    ),
  );

/** What a cell should answer: an override, else the rule. */
function expectationOf(
  entry: MatrixEntry,
  op: Operation,
  principal: Principal,
  f: Fixture | undefined,
  cell: CellKey,
) {
  const override = entry.overrides?.[cell] ?? entry.overrides?.[principal];
  if (override !== undefined) return override.expect;
  return expectedStatus(principal, { method: op.method, need: entry.need }, f?.item);
}

describe.each(storeTargets())('the OpenAPI permission matrix on $kind', (target) => {
  let w: World;
  let stop: () => Promise<void>;
  let operations: Operation[] = [];

  beforeAll(async () => {
    const started = await startMatrixWorld(await target.open());
    w = started.world;
    stop = () => w.stop();
    const doc = await w.send(w.keys.admin, 'GET', '/api/openapi.json');
    operations = operationsOf(JSON.parse(doc.text));
  });

  afterAll(async () => {
    await stop?.();
  });

  it('has an entry for every operation of the served document, and no entry without an operation', () => {
    const served = new Set(operations.map((op) => op.key));
    const missing = [...served].filter((key) => MATRIX[key] === undefined);
    const stale = Object.keys(MATRIX).filter((key) => !served.has(key));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
    const factories = { ...FIXTURES, ...SUB_FIXTURES };
    const noFactory = operations.filter(
      (op) => op.params.length > 0 && factories[MATRIX[op.key]?.fixture ?? op.resource] === undefined,
    );
    expect(noFactory.map((op) => `${op.key} (${op.resource})`)).toEqual([]);
  });

  /** Sends as the principal: their key, or a console session opened from it. */
  const call = async (
    principal: Principal,
    entry: MatrixEntry,
    method: string,
    path: string,
    body: unknown,
  ) => {
    const headers: Record<string, string> = { 'content-type': entry.contentType ?? 'application/json' };
    const key = w.keys[principal];
    const session = entry.session
      ? await fetch(`${w.h.url}/api/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ apiKey: key }),
        })
      : undefined;
    if (session?.status === 201) {
      headers.cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      headers['x-csrf-token'] = ((await session.json()) as { csrfToken: string }).csrfToken;
    } else headers.authorization = `Bearer ${key}`;
    const controller = new AbortController();
    const response = await fetch(`${w.h.url}${path}`, {
      method,
      headers,
      signal: controller.signal,
      ...(body === undefined
        ? {}
        : { body: entry.contentType === undefined ? JSON.stringify(body) : String(body) }),
    });
    // An event stream stays open: what arrived in a moment is its body.
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      const reader = response.body!.getReader();
      const first = await Promise.race([reader.read(), new Promise((r) => setTimeout(r, 300, undefined))]);
      controller.abort();
      const chunk = (first as { value?: Uint8Array } | undefined)?.value;
      return { status: response.status, text: chunk === undefined ? '' : new TextDecoder().decode(chunk) };
    }
    return { status: response.status, text: await response.text() } satisfies Answer;
  };

  it('answers every cell as the policy says, with nothing its caller may not see', async () => {
    const factories = { ...FIXTURES, ...SUB_FIXTURES };
    const cache = new Map<string, Fixture | undefined>();
    const shared = async (name: string, situation: Situation, caller: Person) => {
      const cacheKey = `${name}:${situation}:${ownerIn(situation, caller)}`;
      if (!cache.has(cacheKey)) cache.set(cacheKey, await factories[name]!(w, situation, caller));
      return cache.get(cacheKey);
    };
    // Every item exists before the first cell, so a list is checked against all there is to leak.
    const used = new Set(
      operations.filter((op) => op.params.length > 0).map((op) => MATRIX[op.key]?.fixture ?? op.resource),
    );
    for (const name of [...used].filter((n) => factories[n] !== undefined))
      for (const situation of SITUATIONS)
        for (const caller of ['admin', 'builder', 'user'] as const) await shared(name, situation, caller);
    const outcomes: Outcome[] = [];
    const failures: string[] = [];
    let counter = 0;
    for (const op of operations) {
      const entry = MATRIX[op.key];
      if (entry === undefined) continue;
      const factory = factories[entry.fixture ?? op.resource];
      const situations: readonly (Situation | undefined)[] =
        op.params.length === 0 ? [undefined] : SITUATIONS;
      for (const situation of situations) {
        for (const principal of PRINCIPALS) {
          const cell: CellKey = situation === undefined ? principal : `${principal}/${situation}`;
          let f: Fixture | undefined;
          if (situation !== undefined && factory !== undefined) {
            const caller = personOf(principal);
            const probe = expectationOf(entry, op, principal, undefined, cell);
            f =
              entry.destructive && probe === 'allowed'
                ? await factory(w, situation, caller)
                : await shared(entry.fixture ?? op.resource, situation, caller);
            if (f === undefined) continue;
          }
          const ctx = { w, f, principal, unique: w.unique('mxnew') };
          const path =
            op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
              encodeURIComponent(f?.params[name] ?? f?.id ?? ''),
            ) + (entry.query?.(ctx) ?? '');
          const body = entry.body?.(ctx) ?? (op.method === 'GET' || op.method === 'DELETE' ? undefined : {});
          const defect = entry.knownDefects?.[cell];
          const expected = expectationOf(entry, op, principal, f, cell);
          const answer = await call(principal, entry, op.method, path, body);
          counter++;
          const label = `${op.key} ${cell}`;
          const ok =
            defect !== undefined
              ? answer.status === defect.actual
              : expected === 'allowed'
                ? (answer.status >= 200 && answer.status < 300) ||
                  (entry.alsoAllowed ?? []).includes(answer.status)
                : answer.status === expected;
          if (!ok)
            failures.push(
              `${label}: expected ${expected}, got ${answer.status} ${answer.text.slice(0, 160)}`,
            );
          const sent = `${path} ${JSON.stringify(body ?? null)}`;
          const leaked = w.secrets
            .filter((s) => !sees(principal, s) && !(entry.mayShow?.(s) ?? false))
            .filter((s) => !sent.includes(s.text) && answer.text.includes(s.text))
            .map((s) => s.text);
          if (leaked.length > 0 && defect === undefined)
            failures.push(`${label}: leaks ${leaked.join(', ')}`);
          outcomes.push({
            cell: label,
            expected,
            status: answer.status,
            ...(defect ? { note: defect.why } : {}),
          });
        }
      }
    }
    const count = (e: Expected) => outcomes.filter((o) => o.expected === e).length;
    console.log(
      `[${target.kind}] permission matrix: ${outcomes.length} cells over ${operations.length} operations — ` +
        `${count('allowed')} allowed, ${count(403)} refused (403), ${count(404)} hidden (404)`,
    );
    const defects = outcomes.filter((o) => o.note !== undefined);
    if (defects.length > 0)
      console.log(`known defects:\n${defects.map((d) => `  ${d.cell}: ${d.note}`).join('\n')}`);
    expect(counter).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  }, 120_000);
});
