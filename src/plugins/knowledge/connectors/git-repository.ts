import { z } from 'zod';

/**
 * Where a git source clones from: an absolute path, or a `file://`, `https://`, `http://`, `ssh://`,
 * `git://` URL, or scp-style `user@host:path`. Nothing that git could read as an option (a leading
 * `-`, also in a host or user), no whitespace, no credentials in an http(s) URL (they would show in
 * citations and logs; use a credential helper or ssh keys).
 */
const SCP_STYLE = /^(?:[A-Za-z0-9._][A-Za-z0-9._-]*@)?[A-Za-z0-9.][A-Za-z0-9.-]*:(?!\/\/)\S+$/;

function repositoryProblem(value: string): string | undefined {
  if (value.startsWith('-')) return 'must not start with "-"';
  if ([...value].some((char) => char.charCodeAt(0) < 0x21 || char.charCodeAt(0) === 0x7f))
    return 'must not contain whitespace or control characters';
  if (value.startsWith('/')) return undefined;
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(value)) return 'must not name a remote helper (`<transport>::`)';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'is not a valid URL';
    }
    const scheme = url.protocol.slice(0, -1);
    if (!['file', 'https', 'http', 'ssh', 'git'].includes(scheme))
      return `the ${scheme}:// transport is not allowed`;
    if (scheme === 'file') return url.host === '' ? undefined : 'a file:// URL must have an empty host';
    if (url.hostname === '' || url.hostname.startsWith('-'))
      return 'needs a host that does not start with "-"';
    if (url.username.startsWith('-')) return 'a user name must not start with "-"';
    if ((scheme === 'https' || scheme === 'http') && (url.username !== '' || url.password !== ''))
      return 'must not carry credentials (use a git credential helper or ssh keys)';
    return undefined;
  }
  if (SCP_STYLE.test(value)) return undefined;
  return 'must be an absolute path, a file://, https://, ssh:// or git:// URL, or user@host:path';
}

export const gitRepositorySchema = z
  .string()
  .min(1)
  .max(2_000)
  .superRefine((value, context) => {
    const problem = repositoryProblem(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: `repository ${problem}` });
  });

/** A branch name git accepts (`git check-ref-format --branch`), and never one that looks like an option. */
export const gitBranchSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/,
    'letters, digits, ".", "_", "/" and "-", not starting with "-" or "."',
  )
  .refine(
    (branch) =>
      !branch.includes('..') &&
      !branch.includes('//') &&
      !branch.endsWith('/') &&
      !branch.endsWith('.') &&
      !branch.endsWith('.lock') &&
      !branch.split('/').some((part) => part.startsWith('.')),
    'not a valid branch name',
  );

/** A web page for a file when the repository is on GitHub or GitLab over https; else undefined. */
export function webUrlOf(repository: string, branch: string, path: string): string | undefined {
  const match = /^https:\/\/(github\.com|gitlab\.com)\/([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(repository);
  if (match === null) return undefined;
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  const blob = match[1] === 'gitlab.com' ? '-/blob' : 'blob';
  return `https://${match[1]}/${match[2]}/${blob}/${branch.split('/').map(encodeURIComponent).join('/')}/${encoded}`;
}
