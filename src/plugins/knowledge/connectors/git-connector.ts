import { createHash } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../connector.ts';
import { resolveMediaType } from '../media-type.ts';
import { GitCommandError, runGit } from './git-command.ts';
import { globMatcher } from './git-glob.ts';
import { gitBranchSchema, gitRepositorySchema, webUrlOf } from './git-repository.ts';

export const GIT_FETCH_TIMEOUT_MS = 10 * 60_000;
const GIT_LOCAL_TIMEOUT_MS = 60_000;
const MAX_LISTING_BYTES = 256 * 1024 * 1024;
/** Binary files are skipped, except those the sync engine can parse. */
const BINARY_DOCUMENTS = new Set(['.pdf', '.docx']);

export const gitSourceConfigSchema = z.strictObject({
  repository: gitRepositorySchema,
  /** The branch to follow; default: the remote's HEAD branch (else `main`). */
  branch: gitBranchSchema.optional(),
  /** Path globs (`docs/**`, `*.md`); default: every file. */
  include: z.array(z.string().min(1).max(500)).min(1).max(100).optional(),
  /** Files larger than this are reported as failed, not read. */
  maxFileBytes: z
    .number()
    .int()
    .min(1)
    .max(200 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  maxFiles: z.number().int().min(1).max(100_000).default(10_000),
});
export type GitSourceConfig = z.output<typeof gitSourceConfigSchema>;

export interface GitConnectorDeps {
  /** A directory for this process's clones (e.g. `<home>/cache/git`). */
  cacheDir: string;
  fetchTimeoutMs?: number;
}

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  size: number;
  path: string;
}

/** `git ls-tree -r -z --long`: `<mode> <type> <object> <size>\t<path>` entries, NUL-separated. */
function parseTree(listing: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of listing.toString('utf8').split('\0')) {
    const match = /^([0-7]+) (\w+) ([0-9a-f]+) +(-|[0-9]+)\t([\s\S]+)$/.exec(record);
    if (match === null) continue;
    entries.push({
      mode: match[1]!,
      type: match[2]!,
      object: match[3]!,
      size: match[4] === '-' ? 0 : Number(match[4]),
      path: match[5]!,
    });
  }
  return entries;
}

/** git's own test: a NUL byte in the first 8000 bytes makes a file binary. */
const looksBinary = (content: Buffer): boolean => content.subarray(0, 8_000).includes(0);

/** One fetch at a time per cache repository in this process (git's lock files would fail the second). */
const cacheLocks = new Map<string, Promise<unknown>>();
async function withCacheLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const previous = cacheLocks.get(dir) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(work);
  cacheLocks.set(dir, current);
  try {
    return await current;
  } finally {
    if (cacheLocks.get(dir) === current) cacheLocks.delete(dir);
  }
}

/**
 * A git repository's files at the newest commit of one branch. Each sync fetches that branch (shallow)
 * into a bare cache repository keyed by the repository string, then lists the commit's tree and reads
 * its blobs from there: no working tree is checked out, so no checkout filters or hooks ever run.
 */
export function gitConnector(config: GitSourceConfig, deps: GitConnectorDeps): Connector {
  const dir = posix.join(
    deps.cacheDir,
    `${createHash('sha256').update(config.repository).digest('hex').slice(0, 32)}.git`,
  );
  const included = config.include === undefined ? () => true : globMatcher(config.include);

  return {
    async *list(context: ConnectorContext): AsyncIterable<ConnectorItem> {
      const git = (args: string[], timeoutMs = GIT_LOCAL_TIMEOUT_MS, maxOutputBytes = MAX_LISTING_BYTES) =>
        runGit([`--git-dir=${dir}`, ...args], { signal: context.signal, timeoutMs, maxOutputBytes });

      const { branch, commit } = await withCacheLock(dir, async () => {
        await mkdir(deps.cacheDir, { recursive: true });
        const exists = await access(posix.join(dir, 'HEAD')).then(
          () => true,
          () => false,
        );
        if (!exists)
          await runGit(['init', '--bare', '--quiet', dir], {
            signal: context.signal,
            timeoutMs: GIT_LOCAL_TIMEOUT_MS,
            maxOutputBytes: 65_536,
          });
        const branch =
          config.branch ??
          (await remoteHeadBranch(git, config.repository, deps.fetchTimeoutMs ?? GIT_FETCH_TIMEOUT_MS)) ??
          'main';
        const tracking = `refs/remotes/source/${branch}`;
        try {
          await git(
            [
              'fetch',
              '--quiet',
              '--no-tags',
              '--force',
              '--depth=1',
              '--',
              config.repository,
              `+refs/heads/${branch}:${tracking}`,
            ],
            deps.fetchTimeoutMs ?? GIT_FETCH_TIMEOUT_MS,
          );
        } catch (error) {
          if (!(error instanceof GitCommandError)) throw error;
          throw new AgentOsError(
            'resource.not_found',
            `Could not fetch branch "${branch}" of ${config.repository}: ${error.message}`,
          );
        }
        const commit = (await git(['rev-parse', '--verify', '--quiet', `${tracking}^{commit}`]))
          .toString('utf8')
          .trim();
        return { branch, commit };
      });
      context.log(`git: ${config.repository} ${branch} at ${commit.slice(0, 12)}`);

      const entries = parseTree(await git(['ls-tree', '-r', '-z', '--long', '--full-tree', commit]));
      let files = 0;
      let skippedBinary = 0;
      for (const entry of entries) {
        context.signal.throwIfAborted();
        // Submodules (commits) and symbolic links (mode 120000) are not documents.
        if (entry.type !== 'blob' || entry.mode === '120000' || !included(entry.path)) continue;
        if (files >= config.maxFiles) {
          context.log(`git: stopped at maxFiles (${config.maxFiles})`);
          break;
        }
        files++;
        const ref = entry.path;
        const location = webUrlOf(config.repository, branch, ref) ?? `${config.repository}@${branch}:${ref}`;
        if (entry.size > config.maxFileBytes) {
          yield {
            kind: 'failure',
            ref,
            location,
            code: 'file.too_large',
            message: `${entry.size} bytes is over this source's limit of ${config.maxFileBytes}`,
          };
          continue;
        }
        let content: Buffer;
        try {
          content = await git(
            ['cat-file', 'blob', entry.object],
            GIT_LOCAL_TIMEOUT_MS,
            config.maxFileBytes + 1,
          );
        } catch (error) {
          if (!(error instanceof GitCommandError)) throw error;
          yield { kind: 'failure', ref, location, code: 'file.read_failed', message: error.message };
          continue;
        }
        const name = posix.basename(ref);
        const extension = posix.extname(name).toLowerCase();
        if (looksBinary(content) && !BINARY_DOCUMENTS.has(extension)) {
          skippedBinary++;
          continue;
        }
        // A text file of a type the engine does not know (source code, config) is read as plain text.
        const known = resolveMediaType(name) !== 'application/octet-stream';
        yield {
          kind: 'document',
          ref,
          location,
          mediaType: known ? name : 'text/plain',
          content: new Uint8Array(content),
        };
      }
      if (skippedBinary > 0) context.log(`git: skipped ${skippedBinary} binary files`);
    },
  };
}

/** The branch the remote's HEAD points to (`git ls-remote --symref`), when the remote says. */
async function remoteHeadBranch(
  git: (args: string[], timeoutMs?: number) => Promise<Buffer>,
  repository: string,
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const listing = (await git(['ls-remote', '--symref', '--', repository, 'HEAD'], timeoutMs)).toString(
      'utf8',
    );
    const branch = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(listing)?.[1];
    return branch !== undefined && gitBranchSchema.safeParse(branch).success ? branch : undefined;
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    // Unreachable here means the fetch below fails too, with the clearer message.
    return undefined;
  }
}
