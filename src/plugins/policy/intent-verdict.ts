import type { ToolDefinition, ToolStakes } from '../../core/tools/tool.ts';
import type { ContentSource } from '../../core/tools/value-provenance.ts';
import { provenanceVerdict } from './argument-provenance.ts';
import type { ConstraintValue, RunIntent } from './run-intent.ts';

export interface IntentVerdict {
  effect: 'allow' | 'ask';
  ruleId:
    | 'intent.within'
    | 'intent.argument_mismatch'
    | 'flow.argument_untrusted'
    | 'flow.argument_unattributed';
  reason: string;
  stakes: ToolStakes;
}

const normal = (value: unknown): string =>
  typeof value === 'number'
    ? String(value)
    : String(value ?? '')
        .replace(/\s+/g, ' ')
        .trim()
        .toLowerCase();

/** The call's value is the one the task stated: numbers by value, texts ignoring case and spacing, lists as sets. */
export function sameValue(actual: unknown, stated: ConstraintValue): boolean {
  if (Array.isArray(stated)) {
    if (!Array.isArray(actual) || actual.length !== stated.length) return false;
    const want = new Set(stated.map(normal));
    return actual.every((item) => want.has(normal(item)));
  }
  if (typeof stated === 'number') return Number(actual) === stated;
  return typeof actual === 'string' && normal(actual) === normal(stated);
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/**
 * A consequential call judged against the run's intent. Inside it — its tool is an action the task asked
 * for, every argument the task stated has that value, and every other security-relevant value comes from a
 * trusted source — it goes ahead unattended whatever its stakes (`intent.within`). In a tainted run, a call
 * of an intended tool with a value other than the one the task stated asks (`intent.argument_mismatch`). With
 * taint per run, a tainted run's call is inside only when the task states every security-relevant value.
 * One whose other values are doubtful asks saying where they came from. Anything else is left to the other
 * rules (undefined): the intent only ever lets through what the person's own words support.
 */
export function intentVerdict(call: {
  intent: RunIntent;
  tool: Pick<ToolDefinition, 'name' | 'securityArguments'>;
  input: unknown;
  sources: readonly ContentSource[];
  tainted: boolean;
  taintedBy: readonly string[];
  stakes: ToolStakes;
  /** Trust argument values by where they came from; false (taint per run): a tainted run trusts only the task's. */
  perValue: boolean;
}): IntentVerdict | undefined {
  const actions = call.intent.actions.filter((action) => action.tool === call.tool.name);
  if (actions.length === 0) return undefined;
  const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Record<
    string,
    unknown
  >;
  const matching = actions.find((action) =>
    Object.entries(action.arguments).every(([name, value]) => sameValue(input[name], value)),
  );
  if (matching === undefined) {
    if (!call.tainted) return undefined;
    const [name, value] =
      Object.entries(actions[0]?.arguments ?? {}).find(([n, v]) => !sameValue(input[n], v)) ?? [];
    return {
      effect: 'ask',
      ruleId: 'intent.argument_mismatch',
      reason: `the task asked for "${call.tool.name}" with ${name} ${shown(value)}; the call has ${shown(input[name ?? ''])}`,
      stakes: call.stakes,
    };
  }
  const stated = Object.keys(matching.arguments);
  const free = (call.tool.securityArguments ?? Object.keys(input)).filter((name) => !stated.includes(name));
  const judged = provenanceVerdict({ ...call, tool: { securityArguments: free } });
  const { values } = judged;
  if (!judged.trusted) {
    // The action is the one asked for, but a value the task did not state came from elsewhere: say which.
    if (!call.tainted || !call.perValue || judged.ruleId === 'flow.arguments_trusted') return undefined;
    return { effect: 'ask', ruleId: judged.ruleId, reason: judged.reason, stakes: call.stakes };
  }
  if (call.tainted && !call.perValue && values.length > 0) return undefined;
  const named = stated.length === 0 ? '' : `; the task states its ${stated.join(', ')}`;
  const others =
    values.length === 0
      ? ''
      : `; its ${[...new Set(values.map((v) => v.argument))].join(', ')} come from trusted sources`;
  return {
    effect: 'allow',
    ruleId: 'intent.within',
    reason: `the task asks for "${call.tool.name}"${named}${others}`,
    stakes: call.stakes,
  };
}
