import { A2A_PROTOCOL_VERSION, type AgentCard, type AgentSkill } from '@a2a-js/sdk';
import type { AgentRecord } from '../../core/agents/agent-repo.ts';

/** The v0.3 JSON-RPC methods (`message/send`, `tasks/get` …) are answered on the same endpoints. */
const LEGACY_PROTOCOL_VERSION = '0.3';

export const BEARER_SCHEME = 'bearer';

function cardBase(endpointUrl: string, version: string) {
  return {
    supportedInterfaces: [A2A_PROTOCOL_VERSION, LEGACY_PROTOCOL_VERSION].map((protocolVersion) => ({
      url: endpointUrl,
      protocolBinding: 'JSONRPC',
      tenant: '',
      protocolVersion,
    })),
    provider: undefined,
    version,
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: true },
    securitySchemes: {
      [BEARER_SCHEME]: {
        scheme: {
          $case: 'httpAuthSecurityScheme' as const,
          value: {
            description: 'An Agent OS API key (`agentos keys create`): `Authorization: Bearer aos_…`',
            scheme: 'Bearer',
            bearerFormat: 'aos_…',
          },
        },
      },
    },
    securityRequirements: [{ schemes: { [BEARER_SCHEME]: { list: [] } } }],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    signatures: [],
  };
}

export function agentSkill(agent: AgentRecord): AgentSkill {
  return {
    id: agent.name,
    name: agent.name,
    description: agent.definition.description,
    tags: ['agent'],
    examples: [],
    inputModes: ['text/plain'],
    outputModes: ['text/plain'],
    securityRequirements: [],
  };
}

/**
 * The workspace's card, served publicly at `/.well-known/agent-card.json`: what Agent OS is and how to
 * authenticate, nothing about the workspace. Its skills (the agents the caller may run) are in the
 * extended card a caller gets with its key (`GetExtendedAgentCard`).
 */
export function workspaceCard(origin: string, version: string, skills: AgentSkill[] = []): AgentCard {
  return {
    name: 'Agent OS',
    description:
      'Agents of an Agent OS workspace. A message starts a run of the agent named in metadata.agent, or of the agent the task router picks; the task is the run, its contextId the conversation a later message continues.',
    ...cardBase(`${origin}/a2a`, version),
    skills,
  };
}

/** One agent's card (`/a2a/agents/:name/.well-known/agent-card.json`), for callers who may see the agent. */
export function agentCard(origin: string, version: string, agent: AgentRecord): AgentCard {
  return {
    name: agent.name,
    description: agent.definition.description,
    ...cardBase(`${origin}/a2a/agents/${encodeURIComponent(agent.name)}`, version),
    skills: [agentSkill(agent)],
  };
}
