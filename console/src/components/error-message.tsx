import { ApiError } from '../api/api-error.ts';
import { issuesOf } from '../api/error-issues.ts';

/** A failed request, with the server's code and message, and a retry button when there is something to retry. */
export function ErrorMessage(props: { error: Error; context?: string; onRetry?: (() => void) | undefined }) {
  const { error } = props;
  const issues = issuesOf(error);
  return (
    <div className="error" role="alert">
      <strong>{props.context ?? 'Something went wrong'}:</strong> {error.message}
      {error instanceof ApiError && (
        <>
          {' '}
          <code className="error-code">{error.code}</code>
        </>
      )}
      {issues.length > 0 && (
        <ul>
          {issues.map((issue, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: issues have no identity of their own
            <li key={index}>
              {issue.path === '' ? '' : `${issue.path}: `}
              {issue.message}
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
