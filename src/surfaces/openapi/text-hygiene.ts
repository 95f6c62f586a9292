import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { findUnstorableText } from '../../core/store/storable-text.ts';

/**
 * Refuses a request value (a parsed JSON body, the query, path parameters, headers) holding a NUL or a
 * lone surrogate anywhere, keys included: such text is never what a caller meant, and the store can't
 * hold it. `where` names the part of the request (`body`, `query`, `path`), the message the exact place.
 */
export function assertRequestText(value: unknown, where: string): void {
  const found = findUnstorableText(value, where);
  if (found === undefined) return;
  throw new AgentOsError(
    'request.invalid_text',
    `Invalid ${found}: text may not contain a NUL character (U+0000) or an unpaired UTF-16 surrogate`,
    { location: found },
  );
}
