import type { ToolStakes } from '../../core/tools/tool.ts';
import {
  argumentProvenance,
  type ContentSource,
  type ValueProvenance,
} from '../../core/tools/value-provenance.ts';

export interface ProvenanceVerdict {
  /** Every security-relevant value comes from the task or a trusted tool: the call may go ahead. */
  trusted: boolean;
  ruleId: 'flow.arguments_trusted' | 'flow.argument_untrusted' | 'flow.argument_unattributed';
  reason: string;
  values: ValueProvenance[];
}

const short = (value: string) => (value.length > 60 ? `${value.slice(0, 57)}…` : value);

/** Why one value is not trusted, in words a person can check: "the recipient came from bank_read_file". */
function doubt(value: ValueProvenance, taintedBy: readonly string[]): string {
  if (value.provenance === 'untrusted') {
    // Tool names have no spaces; other origins name themselves ("the conversation's message #3 (Bob)").
    const origin = value.origin ?? 'a tool';
    const from = origin.startsWith('the ') ? origin : `the output of ${origin}`;
    return `the ${value.argument} ("${short(value.value)}") came from ${from}, which is untrusted`;
  }
  const after = taintedBy.length > 0 ? ` after untrusted content from ${taintedBy.join(', ')}` : '';
  return `the ${value.argument} ("${short(value.value)}") occurs in no trusted source: the model wrote it${after}`;
}

/**
 * A consequential call in a tainted run, judged by where its security-relevant argument values came from
 * (the tool's `securityArguments`, all arguments by default): each must occur in the task, the agent's
 * instructions, the user's own messages in the conversation or a trusted tool's output. Otherwise the first doubtful value is the reason given.
 */
export function provenanceVerdict(call: {
  input: unknown;
  tool: { securityArguments?: readonly string[] | undefined };
  sources: readonly ContentSource[];
  taintedBy: readonly string[];
  stakes: ToolStakes;
}): ProvenanceVerdict {
  const values = argumentProvenance(call.input, call.tool.securityArguments, call.sources);
  const untrusted = values.find((v) => v.provenance === 'untrusted');
  const unattributed = values.find((v) => v.provenance === 'model');
  const first = untrusted ?? unattributed;
  if (first === undefined) {
    const origins = [...new Set(values.map((v) => v.origin))];
    return {
      trusted: true,
      ruleId: 'flow.arguments_trusted',
      reason:
        values.length === 0
          ? 'the call has no security-relevant argument values'
          : `its ${values.map((v) => v.argument).join(', ')} come from ${origins.join(', ')}`,
      values,
    };
  }
  return {
    trusted: false,
    ruleId: untrusted !== undefined ? 'flow.argument_untrusted' : 'flow.argument_unattributed',
    reason: doubt(first, call.taintedBy),
    values,
  };
}
