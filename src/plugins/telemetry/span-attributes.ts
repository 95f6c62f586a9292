// Attribute names of the OpenTelemetry GenAI semantic conventions (still "development" status upstream, so
// spelled out here rather than imported from the package's unstable entry point), and Agent OS's own.

export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** The older name of the provider attribute, still read by most GenAI backends. */
export const GEN_AI_SYSTEM = 'gen_ai.system';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ERROR_TYPE = 'error.type';
export const ENDUSER_ID = 'enduser.id';

export const RUN_ID = 'agent_os.run.id';
export const RUN_ATTEMPT = 'agent_os.run.attempt';
export const RUN_STATUS = 'agent_os.run.status';
export const RUN_COST_USD = 'agent_os.run.cost_usd';
export const AGENT_VERSION = 'agent_os.agent.version';
export const WORKSPACE_ID = 'agent_os.workspace.id';
export const USER_ID = 'agent_os.user.id';
export const STEP_TURN = 'agent_os.step.turn';
export const TOOL_EFFECT = 'agent_os.tool.effect';
export const TOOL_IDEMPOTENT = 'agent_os.tool.idempotent';
export const TOOL_VIA = 'agent_os.tool.via';
export const TOOL_PAUSED = 'agent_os.tool.paused';
export const POLICY_DECISION = 'agent_os.policy.decision';
export const POLICY_RULE_ID = 'agent_os.policy.rule_id';
export const MODEL_TOOL_CALLS = 'agent_os.model.tool_calls';
