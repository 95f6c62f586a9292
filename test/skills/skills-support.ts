import { z } from 'zod';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';

/** Side effects as the world sees them, in order. */
export const effects: string[] = [];

export const skillTools = new ToolRegistry([
  defineTool({
    name: 'lookup',
    description: 'Reads our own order database',
    inputSchema: z.object({ order: z.number() }),
    idempotent: true,
    stakes: 'low',
    effect: 'read',
    trustedOutput: true,
    execute: async ({ order }) => ({ order, status: 'shipped', total: 40 }),
  }),
  defineTool({
    name: 'note',
    description: 'Writes a note on an order',
    inputSchema: z.object({ text: z.string() }),
    idempotent: true,
    stakes: 'low',
    effect: 'write',
    trustedOutput: true,
    execute: async ({ text }) => {
      effects.push(`note:${text}`);
      return { saved: true };
    },
  }),
  defineTool({
    name: 'pay',
    description: 'Pays someone',
    inputSchema: z.object({ to: z.string() }),
    idempotent: true,
    stakes: 'low',
    effect: 'write',
    trustedOutput: true,
    execute: async ({ to }) => {
      effects.push(`pay:${to}`);
      return { paid: to };
    },
  }),
]);

export interface Sent<T> {
  status: number;
  body: T;
}

/** One JSON request with a key; the answer parsed (every API answer is JSON unless asked otherwise). */
export async function send<T = Record<string, unknown>>(
  baseUrl: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Sent<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** The subset of a skill the tests compare: what an export carries. */
export const contentOf = (skill: Record<string, unknown>) => ({
  name: skill.name,
  description: skill.description,
  instructions: skill.instructions,
  tools: skill.tools,
  knowledge: skill.knowledge,
});
