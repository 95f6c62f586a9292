import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { updateAgent } from '../../src/core/agents/agent-repo.ts';
import type { JournalStep } from '../../src/core/kernel/journal-steps.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { defineTool } from '../../src/core/tools/tool.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import type { CheckEscalation } from '../../src/plugins/evals/check-escalations.ts';
import type { RegressionReport } from '../../src/plugins/evals/eval-compare.ts';
import type { EvalRunView } from '../../src/plugins/evals/eval-runner.ts';
import type { EvalSuiteInput } from '../../src/plugins/evals/eval-suite.ts';
import { JUDGE_INSTRUCTIONS } from '../../src/plugins/evals/llm-judge.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { runCli } from '../support/run-cli.ts';
import type {
  ChatCompletionMessage,
  RecordedRequest,
  ScriptedModelServer,
  ScriptedReply,
} from '../support/scripted-model-server.ts';
import { startScriptedModelServer } from '../support/scripted-model-server.ts';
import { tempHome } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

const textOf = (message: ChatCompletionMessage | undefined): string =>
  typeof message?.content === 'string'
    ? message.content
    : (message?.content ?? []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');

const system = (request: RecordedRequest) =>
  request.body.messages
    .filter((m) => m.role === 'system')
    .map(textOf)
    .join('\n');
const firstUser = (request: RecordedRequest) => textOf(request.body.messages.find((m) => m.role === 'user'));
const isJudge = (request: RecordedRequest) => system(request).startsWith(JUDGE_INSTRUCTIONS);

/** The scripted model: a judge that likes politeness, and agents that answer by the `[tag]` in their task. */
function reply(request: RecordedRequest): ScriptedReply {
  const user = firstUser(request);
  if (isJudge(request)) {
    const score = user.includes('Rubric:\nIs it polite?') && /thank/i.test(user) ? 0.9 : 0.2;
    return { text: JSON.stringify({ score, reason: score > 0.5 ? 'polite' : 'not polite' }) };
  }
  const tag = /\[([a-z0-9-]+)\]/.exec(user)?.[1] ?? 'none';
  const version = /style (v\d)/.exec(system(request))?.[1];
  const toolAnswered = request.body.messages.some((m) => m.role === 'tool');
  switch (tag) {
    case 'exact':
      return { text: 'hello' };
    case 'regex':
      return { text: 'order 42 refunded' };
    case 'contains':
      return { text: 'apple and banana' };
    case 'json':
      return { text: '{"total": 3}' };
    case 'json-bad':
      return { text: 'three' };
    case 'tools':
      return toolAnswered
        ? { text: 'a cat is an animal' }
        : { kind: 'tool_calls', toolCalls: [{ name: 'lookup', arguments: { word: 'cat' } }] };
    case 'polite':
      return { text: 'thank you kindly' };
    case 'rude':
      return { text: 'go away' };
    case 'handoff':
      return {
        text: user.includes('Greet the visitor') && user.includes('Context:\nA visitor') ? 'greeted' : 'lost',
      };
    case 'va':
      return { text: 'A' };
    case 'vb':
      return { text: version === 'v1' ? 'B' : 'b?' };
    case 'vc':
      return { text: version === 'v2' ? 'C' : 'c?' };
    case 'retry':
      return {
        text: user.includes('failed these checks')
          ? 'answer, SOURCE: the manual'
          : 'answer without a citation',
      };
    default:
      return { text: `nothing cited for ${tag}` };
  }
}

const kindSuite: EvalSuiteInput = {
  name: 'kinds',
  agent: 'helper',
  description: 'every criterion kind, passing and failing',
  cases: [
    { id: 'exact', input: '[exact] say hello', criteria: [{ kind: 'exact', value: 'hello' }] },
    { id: 'regex', input: '[regex] refund', criteria: [{ kind: 'regex', pattern: 'order \\d+ refunded' }] },
    {
      id: 'contains',
      input: '[contains] fruit',
      criteria: [{ kind: 'contains', values: ['apple', 'pear'] }],
    },
    {
      id: 'json',
      input: '[json] count',
      criteria: [
        {
          kind: 'json_schema',
          schema: { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] },
        },
      ],
    },
    {
      id: 'json-bad',
      input: '[json-bad] count',
      criteria: [{ kind: 'json_schema', schema: { type: 'object' } }],
    },
    {
      id: 'tools',
      input: '[tools] what is a cat',
      criteria: [
        { kind: 'tool_calls', calls: [{ name: 'lookup', arguments: { word: 'cat' } }], exclusive: true },
        { kind: 'contains', values: ['animal'] },
      ],
    },
    {
      id: 'tools-missing',
      input: '[exact] hi',
      criteria: [{ kind: 'tool_calls', calls: [{ name: 'lookup' }] }],
    },
    {
      id: 'polite',
      input: '[polite] thank them',
      criteria: [{ kind: 'llm_judge', rubric: 'Is it polite?' }],
    },
    { id: 'rude', input: '[rude] dismiss them', criteria: [{ kind: 'llm_judge', rubric: 'Is it polite?' }] },
    {
      id: 'handoff',
      input: '[handoff] greet',
      context: 'A visitor arrived at the desk.',
      handoff: { goal: 'Greet the visitor' },
      criteria: [{ kind: 'exact', value: 'greeted' }],
    },
  ],
};

const versionedSuite: EvalSuiteInput = {
  name: 'versioned',
  agent: 'versioned',
  cases: [
    { id: 'a', input: '[va] first', criteria: [{ kind: 'exact', value: 'A' }] },
    { id: 'b', input: '[vb] second', criteria: [{ kind: 'exact', value: 'B' }] },
    { id: 'c', input: '[vc] third', criteria: [{ kind: 'exact', value: 'C' }] },
  ],
};

describe.each(storeTargets())('evals on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let cwd: string;
  let retryingId: string;
  const lookup = defineTool({
    name: 'lookup',
    description: 'Looks a word up',
    inputSchema: z.strictObject({ word: z.string() }),
    idempotent: true,
    execute: async (input) => ({ definition: `meaning of ${input.word}` }),
  });

  async function runTask(agent: string, task: string): Promise<RunRecord> {
    const { status, body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent,
      task,
      wait: true,
    });
    expect(status).toBe(200);
    return body.run;
  }

  function runEnded(id: string): Promise<RunRecord> {
    return eventually(
      async () => {
        const { run } = (await h.api<{ run: RunRecord }>('GET', `/api/runs/${id}`)).body;
        expect(['succeeded', 'failed', 'cancelled', 'budget_exceeded']).toContain(run.status);
        return run;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
  }

  const agentos = (args: string[]) =>
    runCli([...args, '--url', h.url, '--api-key', h.key, '--json'], { cwd });

  beforeAll(async () => {
    cwd = tempHome();
    model = await startScriptedModelServer();
    model.setHandler(reply);
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([lookup]),
    });
    await h.createAgent({ name: 'helper', instructions: 'You help.', tools: ['lookup'] });
    await h.createAgent({ name: 'versioned', instructions: 'Answer in style v1.' });
    await updateAgent(h.agentOs.store, {
      workspaceId: h.workspaceId,
      idOrName: 'versioned',
      patch: { instructions: 'Answer in style v2.' },
    });
    const sourceCheck = { kind: 'contains' as const, name: 'cites a source', values: ['SOURCE'] };
    await h.createAgent({ name: 'flagged', checks: { criteria: [sourceCheck], onFail: 'flag' } });
    retryingId = await h.createAgent({
      name: 'retrying',
      checks: { criteria: [sourceCheck], onFail: 'retry', maxRetries: 2 },
    });
    await h.createAgent({ name: 'escalating', checks: { criteria: [sourceCheck], onFail: 'escalate' } });
    await h.createAgent({
      name: 'judged',
      checks: { criteria: [{ kind: 'llm_judge', name: 'polite', rubric: 'Is it polite?' }], onFail: 'flag' },
    });
  }, 60_000);

  afterAll(async () => {
    await h.agentOs.stop();
    await model.close();
  });

  it('runs a suite with every criterion kind as real runs and stores per-case results', async () => {
    expect((await h.api('POST', '/api/evals/suites', kindSuite)).status).toBe(201);
    const started = await h.api<EvalRunView>('POST', '/api/evals/suites/kinds/runs', { wait: true });
    expect(started.status).toBe(200);
    const { evalRun, cases } = started.body;
    expect(evalRun).toMatchObject({ status: 'completed', total: 10, passed: 6, agentVersion: 1 });
    expect(evalRun.score).toBeCloseTo(0.6);
    const byId = new Map(cases.map((c) => [c.caseId, c]));
    const passing = ['exact', 'regex', 'json', 'tools', 'polite', 'handoff'];
    for (const c of cases) expect(c.passed, c.caseId).toBe(passing.includes(c.caseId));
    expect(byId.get('contains')?.criteria?.[0]?.detail).toBe('the answer lacks "pear"');
    expect(byId.get('json-bad')?.criteria?.[0]?.detail).toContain('not JSON');
    expect(byId.get('tools-missing')?.criteria?.[0]?.detail).toBe('expected a call lookup; calls made: none');
    expect(byId.get('polite')?.criteria?.[0]).toMatchObject({ passed: true, score: 0.9 });
    expect(byId.get('rude')?.criteria?.[0]).toMatchObject({ passed: false, score: 0.2 });
    expect(byId.get('polite')?.judgeUsage?.inputTokens).toBeGreaterThan(0);
    // Each case is a real run of the agent: its own run, usage and latency.
    const tools = byId.get('tools')!;
    expect(tools.inputTokens).toBeGreaterThan(0);
    expect(tools.latencyMs).toBeGreaterThanOrEqual(0);
    const run = await h.api<{ run: RunRecord }>('GET', `/api/runs/${tools.runId}`);
    expect(run.body.run).toMatchObject({ status: 'succeeded', output: { text: 'a cat is an animal' } });
    expect(new Set(cases.map((c) => c.runId)).size).toBe(10);
    // Stored: listed and readable later.
    const listed = await h.api<{ runs: Array<{ id: string }> }>('GET', '/api/evals/runs?suite=kinds');
    expect(listed.body.runs.map((r) => r.id)).toContain(evalRun.id);
    const again = await h.api<EvalRunView>('GET', `/api/evals/runs/${evalRun.id}`);
    expect(again.body.cases.map((c) => c.passed)).toEqual(cases.map((c) => c.passed));
  }, 60_000);

  it('rejects an invalid suite with the path of each problem and stores nothing', async () => {
    const invalid = {
      name: 'broken',
      agent: 'helper',
      cases: [
        { id: 'ok', input: 'x', criteria: [{ kind: 'exact', value: 'x' }] },
        { id: 'bad', input: 'x', criteria: [{ kind: 'regex', pattern: '([a-z' }] },
        { id: 'worse', input: 'x', criteria: [{ kind: 'llm_judge', rubric: 'r', threshold: 2 }] },
      ],
    };
    const response = await h.api<{
      error: { code: string; message: string; details: { issues: Array<{ path: string }> } };
    }>('POST', '/api/evals/suites', invalid);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('request.invalid');
    expect(response.body.error.message).toContain('cases.1.criteria.0.pattern');
    expect(response.body.error.details.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['cases.1.criteria.0.pattern', 'cases.2.criteria.0.threshold']),
    );
    expect((await h.api('GET', '/api/evals/suites/broken')).status).toBe(404);
    const suites = await h.api<{ suites: Array<{ name: string }> }>('GET', '/api/evals/suites');
    expect(suites.body.suites.map((s) => s.name)).not.toContain('broken');
    const unknownAgent = await h.api('POST', '/api/evals/suites', {
      ...versionedSuite,
      name: 'ghost',
      agent: 'ghost',
    });
    expect(unknownAgent.status).toBe(404);
  });

  it('compares agent v1 with v2: the report names exactly the regressed case, and the CLI exits 1', async () => {
    const file = join(cwd, 'versioned.json');
    writeFileSync(file, JSON.stringify(versionedSuite));
    const added = await agentos(['eval', 'add', file]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ suite: { name: 'versioned', agent: 'versioned' } });
    const v1 = await agentos(['eval', 'run', 'versioned', '--agent-version', '1']);
    expect(v1.code).toBe(1); // case c fails on v1
    const first = JSON.parse(v1.stdout) as EvalRunView;
    expect(first.evalRun).toMatchObject({ agentVersion: 1, status: 'completed', passed: 2 });
    const v2 = await h.api<EvalRunView>('POST', '/api/evals/suites/versioned/runs', {
      agentVersion: 2,
      wait: true,
    });
    expect(v2.body.evalRun).toMatchObject({ agentVersion: 2, status: 'completed', passed: 2 });

    const compared = await agentos(['eval', 'compare', first.evalRun.id, v2.body.evalRun.id]);
    expect(compared.code).toBe(1);
    const { report } = JSON.parse(compared.stdout) as { report: RegressionReport };
    expect(report).toMatchObject({ worse: ['b'], better: ['c'], unchanged: ['a'], regressed: true });
    expect(report.cases.find((c) => c.caseId === 'b')?.criteria).toEqual(['exact#1']);

    // v2 against itself: nothing regressed, exit 0.
    const same = await agentos(['eval', 'compare', v2.body.evalRun.id, v2.body.evalRun.id]);
    expect(same.code).toBe(0);
    expect((JSON.parse(same.stdout) as { report: RegressionReport }).report.regressed).toBe(false);

    // --versions runs both and compares.
    const fresh = await agentos(['eval', 'compare', '--suite', 'versioned', '--versions', '1', '2']);
    expect(fresh.code).toBe(1);
    expect((JSON.parse(fresh.stdout) as { report: RegressionReport }).report.worse).toEqual(['b']);

    const missing = await h.api('POST', '/api/evals/suites/versioned/runs', { agentVersion: 9 });
    expect(missing.status).toBe(404);
  }, 180_000);

  it('online checks flag a run whose answer fails them', async () => {
    const run = await runTask('flagged', '[flag] answer without citing');
    expect(run.status).toBe('succeeded');
    const { body } = await h.api<{ run: RunRecord }>('GET', `/api/runs/${run.id}`);
    expect(body.run.output?.checks).toEqual({
      passed: false,
      onFail: 'flag',
      failures: [{ criterion: 'cites a source', kind: 'contains', detail: 'the answer lacks "SOURCE"' }],
    });
  });

  it('an llm_judge check is a journaled step of the run', async () => {
    const judgeCalls = () => model.requests.filter(isJudge).length;
    const before = judgeCalls();
    const run = await runTask('judged', '[polite] thank the customer');
    expect(run.output?.checks).toEqual({ passed: true, failures: [] });
    expect(judgeCalls()).toBe(before + 1);
    const steps = await h.api<{ steps: JournalStep[] }>('GET', `/api/runs/${run.id}/steps`);
    const check = steps.body.steps.find((s) => s.kind === 'check');
    expect(check).toMatchObject({
      status: 'completed',
      callIndex: 2_000_000,
      input: { criterion: 'polite' },
    });
    const rude = await runTask('judged', '[rude] dismiss the customer');
    expect(rude.output?.checks?.failures[0]?.detail).toContain('score 0.2');
  });

  it('retry starts a second run with the failure reasons, which passes', async () => {
    const run = await runTask('retrying', '[retry] explain the setting');
    const checks = run.output?.checks;
    expect(checks).toMatchObject({ passed: false, onFail: 'retry' });
    expect(checks?.retryRunId).toBeDefined();
    const retry = await runEnded(checks!.retryRunId!);
    expect(retry.status).toBe('succeeded');
    expect(retry.input.task).toContain('[retry] explain the setting');
    expect(retry.input.task).toContain('cites a source: the answer lacks "SOURCE"');
    expect(retry.output).toEqual({
      text: 'answer, SOURCE: the manual',
      checks: { passed: true, failures: [] },
    });
    expect(retry.idempotencyKey).toBe(`checks:retry:${run.id}:1`);
    const tree = await h.api<{ runs?: Array<{ id: string }> }>('GET', `/api/runs/${run.id}/tree`);
    expect(JSON.stringify(tree.body)).toContain(retry.id);
    const runs = await h.api<{ runs: RunRecord[] }>('GET', `/api/runs?agent=${retryingId}`);
    expect(runs.body.runs).toHaveLength(2);
  });

  it('escalate opens an escalation for the run user, who resolves it', async () => {
    const run = await runTask('escalating', '[esc] answer');
    const escalationId = run.output?.checks?.escalationId;
    expect(escalationId).toBeDefined();
    const open = await h.api<{ escalations: CheckEscalation[] }>('GET', '/api/evals/escalations?status=open');
    const escalation = open.body.escalations.find((e) => e.id === escalationId);
    expect(escalation).toMatchObject({
      runId: run.id,
      status: 'open',
      failures: [{ criterion: 'cites a source' }],
    });
    const resolved = await h.api<{ escalation: CheckEscalation }>(
      'POST',
      `/api/evals/escalations/${escalationId}/resolve`,
      { resolution: 'answer accepted after review' },
    );
    expect(resolved.body.escalation).toMatchObject({
      status: 'resolved',
      resolution: 'answer accepted after review',
    });
    const again = await h.api('POST', `/api/evals/escalations/${escalationId}/resolve`, { resolution: 'x' });
    expect(again.status).toBe(409);
  });
});
