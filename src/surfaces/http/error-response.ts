import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AgentOsError, type ErrorCode } from '../../core/errors/agent-os-error.ts';

/** The one place error codes become HTTP statuses. */
const statusByCode: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  'request.invalid': 400,
  'request.malformed_json': 400,
  'request.invalid_text': 400,
  'tool.invalid_arguments': 400,
  'model.invalid_name': 400,
  'model.unknown_provider': 400,
  'model.provider_not_configured': 400,
  'model.unknown_model': 400,
  'tool.not_registered': 400,
  'webhook.delivery_id_required': 400,
  'auth.missing': 401,
  'auth.invalid': 401,
  'webhook.stale_timestamp': 401,
  'auth.forbidden': 403,
  'auth.csrf': 403,
  'policy.outside_boundary': 403,
  'skill.unavailable': 403,
  'trigger.owner_lost_access': 403,
  'resource.not_found': 404,
  'skill.not_found': 404,
  'run.not_found': 404,
  'route.not_found': 404,
  'method.not_allowed': 405,
  'resource.conflict': 409,
  'run.invalid_state': 409,
  'store.conflict': 409,
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
  'trigger.limit_reached': 429,
  'trigger.rate_limited': 429,
  'mcp.unavailable': 502,
  'database.write_refused': 400,
  'database.timeout': 504,
  'database.unreachable': 502,
  'database.query_failed': 400,
  'database.access_refused': 403,
  'code.timeout': 504,
  'code.memory_limit': 413,
  'code.failed': 400,
  'store.unreachable': 503,
};

export function statusFor(code: ErrorCode): ContentfulStatusCode {
  return statusByCode[code] ?? 500;
}

export function errorResponse(c: Context, error: AgentOsError): Response {
  return c.json({ error: error.toJSON() }, statusFor(error.code));
}

/** Never leaks a stack trace: unknown errors become a generic `internal` error, logged server-side. */
export function toAgentOsError(error: unknown, log: (message: string) => void): AgentOsError {
  if (error instanceof AgentOsError) return error;
  log(`unhandled error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new AgentOsError('internal', 'An internal error occurred');
}
