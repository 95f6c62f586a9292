import { createHash } from 'node:crypto';
import type { GateDecision, GateQuestion } from '../../core/kernel/tool-gate.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { type ToolStakes, toolEffect, toolStakes } from '../../core/tools/tool.ts';
import { mcpServerOfToolName } from '../../core/tools/tool-name.ts';
import { findApproval, requestApproval } from './approval-repo.ts';
import { provenanceVerdict } from './argument-provenance.ts';
import { destinationsOutside } from './argument-rules.ts';
import { authorizeToolCall } from './cedar/tool-call-authorization.ts';
import { egressReason } from './egress-destinations.ts';
import { intentVerdict } from './intent-verdict.ts';
import { toolOutsideBoundary } from './org-boundary.ts';
import type { PolicySnapshot } from './policy-settings.ts';
import { intentOf } from './run-intent.ts';
import { shownArguments } from './shown-arguments.ts';

/** One call as the kernel asks about it, with the store and the policy read for the attempt. */
export interface GateRequest extends GateQuestion {
  store: SqlClient;
  policy: PolicySnapshot;
}

const CONSEQUENTIAL = new Set(['write', 'external_send', 'destructive']);

export const argumentsHash = (argumentsText: string): string =>
  createHash('sha256').update(argumentsText).digest('hex');

type Verdict = Omit<GateDecision, 'argumentsHash' | 'approvalId' | 'message'>;

/** A destination argument of a tainted run outside the egress allowlist needs a person. */
function egressVerdict(request: GateRequest, stakes: ToolStakes, textUrls = false): Verdict | undefined {
  const egress = egressReason({
    tool: request.tool,
    input: request.input,
    textUrls,
    allowlist: request.policy.settings.recipientAllowlist ?? [],
    trustedInput: request.trustedInput,
    taintedBy: request.taintedBy,
  });
  return egress === undefined
    ? undefined
    : { effect: 'ask', ruleId: 'flow.egress_destination', reason: egress, stakes };
}

/** The rules, before any approval: what this call would need. */
function evaluateRules(request: GateRequest): Verdict {
  const { tool, policy, tainted } = request;
  const effect = toolEffect(tool);
  let stakes = toolStakes(tool);
  if (!policy.settings.enabled)
    return { effect: 'allow', ruleId: 'policy.disabled', reason: 'the policy is switched off', stakes };
  const intent = policy.settings.intent === 'task' ? intentOf(request.snapshot) : undefined;
  if (intent !== undefined && (CONSEQUENTIAL.has(effect) || stakes === 'high')) {
    const perValue = policy.settings.flowGranularity === 'value';
    const intended = intentVerdict({ ...request, intent, stakes, perValue });
    if (intended?.effect === 'allow' && tainted) return egressVerdict(request, stakes, true) ?? intended;
    if (intended?.ruleId.startsWith('flow.') === true)
      return { ...intended, effect: policy.settings.taintedConsequential };
    if (intended !== undefined) return intended;
  }
  if (effect === 'external_send') {
    const outside = destinationsOutside(request.input, policy.settings.recipientAllowlist);
    if (outside.length > 0) {
      stakes = 'high';
      return {
        effect: 'ask',
        ruleId: 'args.destination_outside_allowlist',
        reason: `sends to ${outside.slice(0, 3).join(', ')}, outside the workspace's allowlist`,
        stakes,
      };
    }
  }
  if (stakes === 'high')
    return { effect: 'ask', ruleId: 'stakes.high', reason: `"${tool.name}" is high stakes`, stakes };
  if (
    tainted &&
    CONSEQUENTIAL.has(effect) &&
    policy.settings.flowGranularity === 'value' &&
    request.sources
  ) {
    const judged = provenanceVerdict({ ...request, stakes });
    if (!judged.trusted)
      return {
        effect: policy.settings.taintedConsequential,
        ruleId: judged.ruleId,
        reason: judged.reason,
        stakes,
      };
    const egress = egressVerdict(request, stakes, true);
    if (egress !== undefined) return egress;
    return { effect: 'allow', ruleId: judged.ruleId, reason: judged.reason, stakes };
  }
  if (tainted && CONSEQUENTIAL.has(effect)) {
    return {
      effect: policy.settings.taintedConsequential,
      ruleId: 'flow.tainted_consequential',
      reason: `a ${effect} call after untrusted content entered the run's context`,
      stakes,
    };
  }
  if (tainted) {
    const egress = egressVerdict(request, stakes);
    if (egress !== undefined) return egress;
  }
  return { effect: 'allow', ruleId: 'default.allow', reason: `${stakes} stakes ${effect}`, stakes };
}

/** A workspace's Cedar policies refuse the call (`cedar:<policy ids>`), before any other rule or approval. */
async function cedarVerdict(request: GateRequest): Promise<Verdict | undefined> {
  const stakes = toolStakes(request.tool);
  const decision = await authorizeToolCall({
    store: request.store,
    workspaceId: request.workspaceId,
    runId: request.runId,
    tool: request.tool.name,
    effect: toolEffect(request.tool),
    stakes,
    tainted: request.tainted,
    workspacePolicies: request.policy.cedarPolicies,
  });
  if (decision.allowed) return undefined;
  const ids = decision.reasons.length > 0 ? decision.reasons.join(',') : 'default_deny';
  const reason =
    decision.reasons.length > 0
      ? `"${request.tool.name}" is forbidden by the workspace's Cedar policy ${decision.reasons.join(', ')}`
      : `no Cedar policy allows "${request.tool.name}"${decision.errors.length > 0 ? ` (${decision.errors.join('; ')})` : ''}`;
  return { effect: 'deny', ruleId: `cedar:${ids}`, reason, stakes };
}

/**
 * Decides one tool call: allow, ask a person, or deny. An `ask` is answered by an approval bound to exactly
 * this call (run, turn, call, tool, arguments hash, policy version): approved runs it once, denied or expired
 * tells the model why, pending (or none yet: one is requested) pauses the run.
 */
export async function gateToolCall(request: GateRequest): Promise<GateDecision> {
  const hash = argumentsHash(request.argumentsText);
  const outside = toolOutsideBoundary(
    request.policy.settings.boundary,
    request.tool.name,
    mcpServerOfToolName(request.tool.name),
  );
  if (outside !== undefined) {
    return {
      effect: 'deny',
      ruleId: 'boundary.tool',
      reason: outside,
      stakes: toolStakes(request.tool),
      argumentsHash: hash,
      message: `Blocked by policy (boundary.tool): ${outside}.`,
    };
  }
  const forbidden = await cedarVerdict(request);
  if (forbidden !== undefined) {
    return {
      ...forbidden,
      argumentsHash: hash,
      message: `Blocked by policy (${forbidden.ruleId}): ${forbidden.reason}.`,
    };
  }
  const verdict = evaluateRules(request);
  if (verdict.effect === 'allow') return { ...verdict, argumentsHash: hash };
  if (verdict.effect === 'deny') {
    return {
      ...verdict,
      argumentsHash: hash,
      message: `Blocked by policy (${verdict.ruleId}): ${verdict.reason}.`,
    };
  }
  const binding = {
    runId: request.runId,
    turn: request.turn,
    callIndex: request.callIndex,
    tool: request.tool.name,
    argumentsHash: hash,
    policyVersion: request.policy.version,
  };
  const existing = await findApproval(request.store, binding);
  if (existing?.status === 'approved') {
    return {
      ...verdict,
      effect: 'allow',
      ruleId: 'approval.granted',
      reason: `approved by ${existing.decidedByName ?? existing.decidedBy} (asked: ${verdict.ruleId})`,
      argumentsHash: hash,
    };
  }
  if (existing?.status === 'denied') {
    const by = existing.decidedByName ?? existing.decidedBy ?? 'a person';
    return {
      ...verdict,
      effect: 'deny',
      ruleId: 'approval.denied',
      reason: existing.decisionReason ?? 'denied',
      argumentsHash: hash,
      message: `The call was denied by ${by}: ${existing.decisionReason ?? 'no reason given'}`,
    };
  }
  if (existing?.status === 'expired') {
    return {
      ...verdict,
      effect: 'deny',
      ruleId: 'approval.expired',
      reason: 'nobody decided in time',
      argumentsHash: hash,
      message: "The call needed a person's approval, which expired before anyone decided. Do not retry it.",
    };
  }
  const approval =
    existing ??
    (await requestApproval(request.store, {
      ...binding,
      workspaceId: request.workspaceId,
      userId: request.userId,
      ruleId: verdict.ruleId,
      reason: verdict.reason,
      ttlMs: request.policy.settings.approvalTtlMs,
      arguments: shownArguments(request.tool, request.input),
    }));
  return { ...verdict, argumentsHash: hash, approvalId: approval.id };
}
