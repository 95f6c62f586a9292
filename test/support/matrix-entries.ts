import type { Role } from '../../src/core/identity/roles.ts';
import type { Fixture } from './matrix-fixtures.ts';
import type { Expected } from './matrix-rule.ts';
import type { Principal, Secret, Situation, World } from './matrix-world.ts';
import { SOURCE_POSTGRES_URL } from './source-databases.ts';

/** A cell: `principal` alone (collection operations) or `principal/situation`. */
export type CellKey = Principal | `${Principal}/${Situation}`;

export interface BodyContext {
  w: World;
  /** The item of an item operation. */
  f: Fixture | undefined;
  principal: Principal;
  /** A fresh name part for what the request creates. */
  unique: string;
}

/** How one operation of the OpenAPI document is exercised and what it should answer. */
export interface MatrixEntry {
  /** The least role the operation needs. */
  need: Role;
  /** The fixture factory (default: the operation's resource kind). */
  fixture?: string;
  body?: (ctx: BodyContext) => unknown;
  /** The body (a string) is sent as it is with this Content-Type instead of as JSON (a file upload). */
  contentType?: string;
  query?: (ctx: BodyContext) => string;
  /** Uses up its item: each allowed cell gets a fresh one. */
  destructive?: true;
  /** Statuses that are an allowed cell's answer though not 2xx (not about authorization, e.g. 409 a duplicate). */
  alsoAllowed?: readonly number[];
  /** Called with a browser session opened from the principal's key instead of the key. */
  session?: true;
  /** Where this operation departs from the rule, with why. */
  /** Secrets this operation may show although the rule hides them from the caller (with why, in a comment). */
  mayShow?: (secret: Secret) => boolean;
  overrides?: Partial<Record<CellKey, { expect: Expected; why: string }>>;
  /**
   * The server's answer is wrong here (the status, or what the body shows): the cell expects the server's
   * actual status, is listed in the output, and its body is not checked for secrets.
   */
  knownDefects?: Partial<Record<CellKey, { actual: number; why: string }>>;
}

const fact = ({ unique }: BodyContext) => ({ kind: 'fact', content: `matrix ${unique}`, scope: 'user' });

/** Every operation of GET /api/openapi.json, by `METHOD path`. */
export const MATRIX: Record<string, MatrixEntry> = {
  'GET /api/health': { need: 'user' },
  'GET /api/health/store': { need: 'user' },
  'GET /api/openapi.json': { need: 'user' },
  'POST /api/sessions': { need: 'user', body: ({ w, principal }) => ({ apiKey: w.keys[principal] }) },
  'GET /api/whoami': { need: 'user' },
  'GET /api/workspaces': { need: 'user' },
  'GET /api/users': { need: 'user' },
  'POST /api/users': {
    need: 'admin',
    body: ({ unique }) => ({ email: `${unique}@new.example`, name: `new ${unique}` }),
  },
  'GET /api/keys': { need: 'admin' },
  // Anyone makes keys of their own (admins: for anyone, see identity.ts).
  'POST /api/keys': { need: 'user', body: ({ unique }) => ({ name: unique }) },
  'DELETE /api/keys/{id}': { need: 'admin', destructive: true },
  'GET /api/sessions/current': {
    need: 'user',
    session: true,
    overrides: {
      readKey: { expect: 404, why: 'a read-only key opens no console session; a key is no session' },
    },
  },
  'DELETE /api/sessions/current': { need: 'user', session: true },
  'GET /api/agents': { need: 'user' },
  'POST /api/agents': {
    need: 'builder',
    body: ({ unique }) => ({ name: unique, description: 'new', model: 'scripted:test-model' }),
  },
  'GET /api/agents/{idOrName}': { need: 'user' },
  'PATCH /api/agents/{idOrName}': { need: 'builder', body: () => ({ description: 'patched' }) },
  'DELETE /api/agents/{idOrName}': { need: 'builder', destructive: true },
  'GET /api/agents/{idOrName}/versions': { need: 'user' },
  'GET /api/models': { need: 'user' },
  'GET /api/tools': { need: 'builder' },
  'GET /api/memories': { need: 'user' },
  'POST /api/memories': { need: 'user', body: fact },
  'POST /api/memories/consolidate': { need: 'admin', body: () => ({}) },
  'GET /api/memories/{id}': { need: 'user' },
  'PATCH /api/memories/{id}': { need: 'user', body: () => ({ content: 'patched' }) },
  'DELETE /api/memories/{id}': { need: 'user', destructive: true },
  'GET /api/memory-blocks': { need: 'user' },
  'PUT /api/memory-blocks': {
    need: 'user',
    body: ({ unique }) => ({ scope: 'user', label: unique, content: 'pinned' }),
  },
  'DELETE /api/memory-blocks/{id}': {
    need: 'user',
    destructive: true,
  },
  'GET /api/spaces': { need: 'user' },
  'POST /api/spaces': { need: 'admin', body: ({ unique }) => ({ name: unique }) },
  // Who is in a space one sees is visible to its viewers; managing it is for admins.
  'GET /api/spaces/{space}/members': { need: 'user' },
  'POST /api/spaces/{space}/members': { need: 'admin', body: ({ w }) => ({ userId: w.people.bea.id }) },
  'DELETE /api/spaces/{space}/members/{userId}': { need: 'admin', destructive: true },
  'GET /api/groups': { need: 'user' },
  'POST /api/groups': { need: 'admin', body: ({ unique }) => ({ name: unique }) },
  'POST /api/groups/{group}/members': { need: 'admin', body: ({ w }) => ({ userId: w.people.bea.id }) },
  'DELETE /api/groups/{group}/members/{userId}': { need: 'admin', destructive: true },
  'POST /api/spaces/{space}/groups': { need: 'admin', body: ({ f }) => ({ group: f?.params.group }) },
  'GET /api/sources': { need: 'user' },
  'POST /api/sources': {
    need: 'builder',
    body: ({ unique }) => ({ name: unique, kind: 'mcp-resources', config: { server: 'wiki' } }),
  },
  'GET /api/sources/{source}': { need: 'user' },
  'PATCH /api/sources/{source}': { need: 'builder', body: () => ({ config: { server: 'patched' } }) },
  'DELETE /api/sources/{source}': { need: 'builder', destructive: true },
  // A sync started in the background holds the source's slot: each allowed cell gets its own source.
  'POST /api/sources/{source}/sync': { need: 'builder', destructive: true, body: () => ({ wait: false }) },
  'GET /api/sources/{source}/documents': { need: 'user' },
  'GET /api/knowledge/search': { need: 'user', query: () => '?q=content' },
  // The audit log is the admin's record of everything done in the workspace: its ids, never another workspace's.
  'GET /api/audit': { need: 'admin', mayShow: (s) => !s.foreign },
  'GET /api/audit/verify': { need: 'admin' },
  'GET /api/audit/export': { need: 'admin', mayShow: (s) => !s.foreign },
  'GET /api/artefacts/{id}': { need: 'user' },
  'POST /api/runs': { need: 'user', body: () => ({ agent: 'open-agent', task: 'a new task' }) },
  'GET /api/runs': { need: 'user' },
  'GET /api/runs/{id}': { need: 'user' },
  'GET /api/runs/{id}/steps': { need: 'user' },
  'POST /api/runs/{id}/cancel': { need: 'user', destructive: true, body: () => ({}) },
  'POST /api/runs/{id}/resume': { need: 'user', body: () => ({}), alsoAllowed: [400, 409] },
  'GET /api/runs/{id}/events': { need: 'user' },
  // Starts at the present: each caller is told only of their own runs' changes (test/server/run-changes-api).
  'GET /api/runs/changes': { need: 'user' },
  'GET /api/approvals': { need: 'user' },
  'GET /api/approvals/{id}': { need: 'user' },
  'POST /api/approvals/{id}/approve': { need: 'user', destructive: true, fixture: 'approval' },
  'POST /api/approvals/{id}/deny': { need: 'user', destructive: true, body: () => ({ reason: 'no' }) },
  // The tool policy's settings are readable by members (the console shows why a call needs approval).
  'GET /api/policy': { need: 'user' },
  'PUT /api/policy': { need: 'admin', body: () => ({}) },
  'GET /api/policies/cedar': { need: 'admin' },
  'PUT /api/policies/cedar': { need: 'admin', body: () => ({ policies: '' }) },
  'GET /api/questions': { need: 'user' },
  'POST /api/runs/{id}/answer': { need: 'user', body: () => ({ answer: 'yes' }), alsoAllowed: [400, 409] },
  'POST /api/triggers': {
    need: 'builder',
    body: () => ({ kind: 'webhook', agent: 'open-agent' }),
  },
  'GET /api/triggers': { need: 'user' },
  'POST /api/plans': {
    need: 'builder',
    body: ({ unique }) => ({
      name: unique,
      nodes: [{ id: 'a', kind: 'agent', agent: 'open-agent', task: 't' }],
    }),
  },
  // A plan is its user's (a run's plan is its run's user's), admins see all; submitting one needs a builder.
  'GET /api/plans': { need: 'user' },
  'POST /api/conversations': { need: 'user', body: ({ unique }) => ({ title: unique }) },
  'GET /api/conversations': { need: 'user' },
  'GET /api/conversations/{id}': { need: 'user' },
  'PATCH /api/conversations/{id}': {
    need: 'user',
    body: ({ unique }) => ({ title: unique }),
    overrides: {
      'admin/restricted': { expect: 403, why: 'only its owner renames, shares or deletes a conversation' },
    },
  },
  'DELETE /api/conversations/{id}': {
    need: 'user',
    destructive: true,
    overrides: {
      'admin/restricted': { expect: 403, why: 'only its owner renames, shares or deletes a conversation' },
    },
  },
  'POST /api/conversations/{id}/messages': {
    need: 'user',
    body: () => ({ content: 'hello', mentions: ['open-agent'] }),
  },
  'POST /api/conversations/{id}/chat': {
    need: 'user',
    body: () => ({
      messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'hello' }] }],
      mentions: ['open-agent'],
    }),
  },
  'POST /api/conversations/{id}/files': {
    need: 'user',
    contentType: 'text/plain',
    query: () => '?name=matrix.txt',
    body: ({ unique }) => `matrix file ${unique}`,
  },
  'GET /api/conversations/{id}/files': { need: 'user' },
  'DELETE /api/conversations/{id}/files/{fileId}': {
    need: 'user',
    fixture: 'conversation-file',
    destructive: true,
    overrides: {
      'admin/restricted': {
        expect: 403,
        why: "only a file's uploader or the conversation's owner removes it",
      },
    },
  },
  'GET /api/conversations/{id}/events': { need: 'user' },
  'GET /api/conversations/{id}/export': { need: 'user' },
  'GET /api/plans/{id}': { need: 'user' },
  'POST /api/plans/{id}/cancel': { need: 'user', destructive: true },
  'GET /api/runs/{id}/tree': { need: 'user' },
  'POST /api/evals/suites': {
    need: 'builder',
    body: ({ unique }) => ({
      name: unique,
      agent: 'open-agent',
      cases: [{ id: 'c', input: 'hi', criteria: [{ kind: 'contains', values: ['ok'] }] }],
    }),
  },
  'GET /api/evals/suites': { need: 'user' },
  'GET /api/evals/suites/{name}': {
    need: 'user',
  },
  'DELETE /api/evals/suites/{name}': {
    need: 'builder',
    destructive: true,
  },
  'POST /api/evals/suites/{name}/runs': {
    need: 'user',
    body: () => ({}),
  },
  'GET /api/evals/runs': { need: 'user' },
  'GET /api/evals/runs/{id}': {
    need: 'user',
    fixture: 'eval-run',
  },
  'GET /api/evals/compare': { need: 'user', alsoAllowed: [400] },
  'GET /api/evals/escalations': { need: 'user' },
  'POST /api/evals/escalations/{id}/resolve': {
    need: 'user',
    fixture: 'escalation',
    destructive: true,
    body: () => ({ resolution: 'fine' }),
  },
  'GET /api/scheduler': { need: 'admin' },
  'GET /api/skills': { need: 'user' },
  'POST /api/skills': { need: 'builder', body: ({ unique }) => ({ name: unique, description: 'new' }) },
  'POST /api/skills/import': { need: 'builder', alsoAllowed: [400] },
  'GET /api/skills/{name}': { need: 'user' },
  'PATCH /api/skills/{name}': { need: 'builder', body: () => ({ description: 'patched' }) },
  'DELETE /api/skills/{name}': { need: 'builder', destructive: true },
  'GET /api/skills/{name}/versions': { need: 'user' },
  'GET /api/skills/{name}/export': { need: 'user' },
  'GET /api/usage': { need: 'user' },
  'GET /api/budgets': { need: 'admin' },
  'POST /api/budgets': { need: 'admin', body: () => ({ period: 'month', limitUsd: 3 }) },
  'DELETE /api/budgets/{id}': { need: 'admin', destructive: true },
  'GET /api/mcp/servers': { need: 'builder' },
  'POST /api/mcp/servers': {
    need: 'admin',
    body: ({ unique }) => ({ name: unique.replaceAll('-', '_'), transport: 'stdio', command: 'true' }),
  },
  'DELETE /api/mcp/servers/{id}': { need: 'admin', destructive: true },
  'GET /api/mcp/servers/{id}/tools': { need: 'builder' },
  'PATCH /api/mcp/servers/{id}/tools/{tool}': { need: 'admin', body: () => ({ stakes: 'high' }) },
  'GET /api/databases': { need: 'builder' },
  'POST /api/databases': {
    need: 'admin',
    body: ({ unique }) => ({ name: unique.replaceAll('-', '_'), url: SOURCE_POSTGRES_URL }),
  },
  'GET /api/databases/{id}': { need: 'builder' },
  'POST /api/databases/{id}/refresh': { need: 'admin' },
  'POST /api/databases/{id}/query': { need: 'admin', body: () => ({ sql: 'SELECT 1 AS one' }) },
  'PATCH /api/databases/{id}': { need: 'admin', body: () => ({ description: 'Orders' }) },
  'DELETE /api/databases/{id}': { need: 'admin', destructive: true },
};
