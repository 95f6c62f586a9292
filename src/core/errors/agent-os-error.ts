/**
 * Errors are values with a stable machine code and a human message.
 * The API maps codes to HTTP statuses in one place (server/error-response.ts);
 * the CLI maps them to exit codes in one place (cli/exit.ts).
 */
export type ErrorCode =
  | 'request.invalid'
  | 'request.malformed_json'
  | 'request.invalid_text'
  | 'route.not_found'
  | 'method.not_allowed'
  | 'auth.missing'
  | 'auth.invalid'
  | 'auth.forbidden'
  | 'auth.csrf'
  | 'policy.outside_boundary'
  | 'config.invalid'
  | 'store.unreachable'
  | 'store.schema_newer'
  | 'store.conflict'
  | 'resource.not_found'
  | 'resource.conflict'
  | 'model.unknown_provider'
  | 'model.invalid_name'
  | 'model.provider_error'
  | 'model.provider_not_configured'
  | 'model.unknown_model'
  | 'tool.unknown'
  | 'tool.not_registered'
  | 'tool.invalid_arguments'
  | 'tool.timeout'
  | 'tool.failed'
  | 'mcp.unavailable'
  | 'database.write_refused'
  | 'database.timeout'
  | 'database.unreachable'
  | 'database.query_failed'
  | 'database.access_refused'
  | 'code.timeout'
  | 'code.memory_limit'
  | 'code.failed'
  | 'run.not_found'
  | 'run.invalid_state'
  | 'run.lease_lost'
  | 'run.cancelled'
  | 'journal.invalid'
  | 'journal.version_unsupported'
  | 'trigger.limit_reached'
  | 'trigger.rate_limited'
  | 'trigger.owner_lost_access'
  | 'request.too_large'
  | 'request.unsupported_media_type'
  | 'webhook.stale_timestamp'
  | 'webhook.delivery_id_required'
  | 'skill.not_found'
  | 'skill.unavailable'
  | 'internal';

export class AgentOsError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentOsError';
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAgentOsError(value: unknown): value is AgentOsError {
  return value instanceof AgentOsError;
}

/** Turns a zod issue list into one readable line: `name: expected string; limits.maxSteps: too small`. */
export function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  return issues
    .map((issue) => {
      const where = issue.path.map(String).join('.');
      return where === '' ? issue.message : `${where}: ${issue.message}`;
    })
    .join('; ');
}
