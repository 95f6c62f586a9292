import { ApiError } from '../api/client.ts';

/** A failed request, with the server's code and message, and a retry button when there is something to retry. */
export function ErrorMessage(props: { error: Error; context?: string; onRetry?: (() => void) | undefined }) {
  const { error } = props;
  return (
    <div className="error" role="alert">
      <strong>{props.context ?? 'Something went wrong'}:</strong> {error.message}
      {error instanceof ApiError && <code className="error-code">{error.code}</code>}
      {error instanceof ApiError && Array.isArray(error.details) && (
        <ul>
          {(error.details as Array<{ path?: unknown; message?: unknown }>).map((issue, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: issues have no identity of their own
            <li key={index}>
              {Array.isArray(issue.path) ? `${issue.path.join('.')}: ` : ''}
              {String(issue.message ?? JSON.stringify(issue))}
            </li>
          ))}
        </ul>
      )}
      {props.onRetry !== undefined && (
        <button type="button" className="secondary" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
