import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../test/support/scripted-model-server.ts';

/**
 * A deterministic agent: three tool turns (idempotent, non-idempotent, both in parallel), then an
 * answer — with real latency so that kills land in the middle of model calls.
 */
export async function chaosModel(): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer();
  server.setHandler((request) => {
    const turns = request.body.messages.filter(
      (m) => m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0,
    ).length;
    const delayMs = 20 + Math.floor(Math.random() * 80);
    if (turns === 0)
      return { kind: 'tool_calls', delayMs, toolCalls: [{ name: 'effect_idem', arguments: { query: 'a' } }] };
    if (turns === 1)
      return { kind: 'tool_calls', delayMs, toolCalls: [{ name: 'effect_once', arguments: { query: 'b' } }] };
    if (turns === 2) {
      return {
        kind: 'tool_calls',
        delayMs,
        toolCalls: [
          { name: 'effect_idem', arguments: { query: 'c' } },
          { name: 'effect_once', arguments: { query: 'd' } },
        ],
      };
    }
    return { text: 'all effects done', delayMs, chunkDelayMs: 5 };
  });
  // The chaos runs never read requests back; do not keep thousands of them in memory.
  setInterval(() => {
    server.requests.length = 0;
  }, 1_000).unref();
  return server;
}
