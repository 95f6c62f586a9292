// npm run bench:conversations -- [--json] [--messages 200] [--iterations 300]
// Cost of building the prompt of a run answering message N+1 of a conversation with N messages of history:
// reading the history (summary and messages) from the embedded store, fitting it to the budget, rendering
// the prompt and counting its tokens. The target is p95 <= 5 ms at 200 messages (no O(n^2) work per message).

import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import { createUser, setMembership } from '../../src/core/identity/user-repo.ts';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { EMPTY_SNAPSHOT, preambleMessages } from '../../src/core/kernel/context-builder.ts';
import { countAll } from '../../src/core/kernel/context-compaction.ts';
import { toModelPrompt } from '../../src/core/kernel/messages.ts';
import { createRun } from '../../src/core/kernel/run-repo.ts';
import {
  estimatingCounter,
  type TokenCounter,
  tokenCounterFor,
} from '../../src/core/kernel/token-counter.ts';
import { migrate } from '../../src/core/store/migrate.ts';
import { PgliteStore } from '../../src/core/store/pglite-store.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { conversationContext } from '../../src/plugins/conversations/conversation-context-hook.ts';
import {
  latestSummary,
  loadHistory,
  planHistory,
} from '../../src/plugins/conversations/conversation-history.ts';
import {
  appendAgentMessage,
  appendUserMessage,
  createConversation,
} from '../../src/plugins/conversations/conversation-repo.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    messages: { type: 'string', default: '200' },
    iterations: { type: 'string', default: '300' },
  },
});
const MESSAGES = Number(values.messages);
const ITERATIONS = Number(values.iterations);
const TARGET_P95_MS = 5;

async function seed(store: Store) {
  const workspace = await createWorkspace(store, 'bench');
  const user = await createUser(store, { email: 'ada@example.com', name: 'Ada' });
  await setMembership(store, workspace.id, user.id, 'user');
  const agent = await createAgent(store, {
    workspaceId: workspace.id,
    definition: agentDefinitionSchema.parse({
      name: 'assistant',
      description: 'bench',
      model: 'openai:gpt-4o-mini',
      instructions: 'You are a helpful assistant.',
    }),
  });
  const conversation = await createConversation(store, { workspaceId: workspace.id, ownerId: user.id });
  const sentence =
    'We discussed the quarterly plan, the Lisbon office move and who covers support in December. ';
  for (let i = 0; i < MESSAGES / 2; i++) {
    const asked = await appendUserMessage(store, {
      conversationId: conversation.id,
      userId: user.id,
      content: `Question ${i}: ${sentence.repeat(2)}`,
      mentions: [],
    });
    const run = await createRun(store, {
      workspaceId: workspace.id,
      agentId: agent.id,
      agentVersion: agent.version,
      userId: user.id,
      input: { task: asked.content, conversation: { id: conversation.id, seq: asked.seq, after: [] } },
      priority: 'interactive',
      conversationId: conversation.id,
    });
    await appendAgentMessage(store, {
      conversationId: conversation.id,
      runId: run.id,
      agentId: agent.id,
      agentVersion: agent.version,
      content: `Answer ${i}: ${sentence.repeat(3)}`,
      status: 'succeeded',
      untrusted: false,
    });
  }
  const run = await createRun(store, {
    workspaceId: workspace.id,
    agentId: agent.id,
    agentVersion: agent.version,
    userId: user.id,
    input: {
      task: 'What did we decide?',
      conversation: { id: conversation.id, seq: MESSAGES + 1, after: [] },
    },
    priority: 'interactive',
    conversationId: conversation.id,
  });
  return { agent, run };
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function measure(
  store: Store,
  seeded: Awaited<ReturnType<typeof seed>>,
  counter: TokenCounter,
  budgetTokens: number,
) {
  const { run, agent } = seeded;
  const ref = run.input.conversation!;
  const self = { agentId: run.agentId, userId: run.userId };
  const times: number[] = [];
  const reads: number[] = [];
  let promptTokens = 0;
  let kept = 0;
  for (let i = 0; i < ITERATIONS + 20; i++) {
    const started = performance.now();
    const summary = await latestSummary(store, ref.id, ref.seq);
    const entries = await loadHistory(store, ref, summary?.uptoSeq ?? 0, self);
    const read = performance.now() - started;
    const plan = planHistory(counter, budgetTokens, ref.seq, summary, entries, self);
    const messages = plan.kind === 'fits' ? plan.messages : plan.kept;
    const snapshot = { ...EMPTY_SNAPSHOT, conversation: { seq: ref.seq, summary, messages } };
    const preamble = preambleMessages(agent.definition, run, snapshot, [conversationContext]);
    promptTokens = countAll(counter, preamble);
    toModelPrompt(preamble);
    const elapsed = performance.now() - started;
    if (i >= 20) {
      times.push(elapsed);
      reads.push(read);
    }
    kept = messages.length;
  }
  times.sort((a, b) => a - b);
  reads.sort((a, b) => a - b);
  return {
    counter: counter.exact ? 'o200k_base (exact)' : 'estimate',
    budgetTokens,
    historyMessages: MESSAGES,
    keptMessages: kept,
    promptTokens,
    p50Ms: Number(quantile(times, 0.5).toFixed(3)),
    p95Ms: Number(quantile(times, 0.95).toFixed(3)),
    maxMs: Number(times.at(-1)!.toFixed(3)),
    /** Of which reading the summary and messages from the store. */
    readP50Ms: Number(quantile(reads, 0.5).toFixed(3)),
    readP95Ms: Number(quantile(reads, 0.95).toFixed(3)),
  };
}

const store = await PgliteStore.open(undefined);
await migrate(store);
const seeded = await seed(store);
const exact = await tokenCounterFor('openai');
const results = [
  // Everything fits: the whole history is read, rendered and counted.
  await measure(store, seeded, estimatingCounter, 100_000),
  await measure(store, seeded, exact, 100_000),
  // A tight budget: the planner keeps the newest turns (the summary call itself is a model call, not measured).
  await measure(store, seeded, exact, 2_000),
];
await store.close();
const passed = results.every((result) => result.p95Ms <= TARGET_P95_MS);
if (values.json) {
  process.stdout.write(`${JSON.stringify({ targetP95Ms: TARGET_P95_MS, passed, results }, null, 2)}\n`);
} else {
  for (const r of results) {
    process.stdout.write(
      `${r.historyMessages} messages, ${r.counter}, budget ${r.budgetTokens}: kept ${r.keptMessages}, ` +
        `${r.promptTokens} prompt tokens — p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, max ${r.maxMs} ms ` +
        `(store read p50 ${r.readP50Ms} ms, p95 ${r.readP95Ms} ms)\n`,
    );
  }
  process.stdout.write(`target p95 <= ${TARGET_P95_MS} ms: ${passed ? 'met' : 'NOT met'}\n`);
}
process.exitCode = passed ? 0 : 1;
