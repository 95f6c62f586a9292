import type { FencedWrite } from './fenced-write.ts';
import type { GateDecision } from './tool-gate.ts';

/** A policy gate decision, written with the step it decided about (no extra write per call). */
export interface PolicyNote {
  events: NonNullable<FencedWrite['events']>;
  audit: NonNullable<FencedWrite['audit']>;
}

/** The decision as a run event (with its reason) and an audit entry (metadata only: no arguments). */
export function policyNote(
  call: { turn: number; callIndex: number; tool: string; tainted: boolean },
  decision: GateDecision,
  policyVersion: string,
): PolicyNote {
  const data = {
    ...call,
    labels: { context: call.tainted ? 'untrusted' : 'trusted' },
    effect: decision.effect,
    ruleId: decision.ruleId,
    stakes: decision.stakes,
    argumentsHash: decision.argumentsHash,
    policyVersion,
    ...(decision.approvalId === undefined ? {} : { approvalId: decision.approvalId }),
  };
  return {
    events: [{ type: 'policy.decision', data: { ...data, reason: decision.reason } }],
    audit: [{ action: 'policy.decision', data }],
  };
}
