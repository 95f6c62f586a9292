import { ApiError } from './api-error.ts';

/** The validation issues a 400 carries (`details.issues`, each with a dotted path), or none. */
export function issuesOf(error: Error): Array<{ path: string; message: string }> {
  if (!(error instanceof ApiError)) return [];
  const details = error.details as { issues?: unknown } | unknown[] | undefined;
  const list = Array.isArray(details) ? details : details?.issues;
  if (!Array.isArray(list)) return [];
  return (list as Array<{ path?: unknown; message?: unknown }>).map((issue) => ({
    path: Array.isArray(issue.path) ? issue.path.join('.') : typeof issue.path === 'string' ? issue.path : '',
    message: String(issue.message ?? JSON.stringify(issue)),
  }));
}
