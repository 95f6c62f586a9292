import { execFileSync } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentOsError } from '../../src/core/errors/agent-os-error.ts';
import type { ConnectorItem, FetchedDocument } from '../../src/plugins/knowledge/connector.ts';
import { gitConnector, gitSourceConfigSchema } from '../../src/plugins/knowledge/connectors/git-connector.ts';

async function collect(items: AsyncIterable<ConnectorItem>): Promise<ConnectorItem[]> {
  const all: ConnectorItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const context = () => ({ signal: new AbortController().signal, log: () => {} });
const text = (item: ConnectorItem | undefined) =>
  item?.kind === 'document' ? Buffer.from(item.content).toString('utf8') : `<${item?.kind}>`;

describe('git connector on a real local repository', () => {
  let root: string;
  let repo: string;
  let cacheDir: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'agentos-git-'));
    repo = join(root, 'repo');
    cacheDir = join(root, 'home', 'cache', 'git');
    await mkdir(join(repo, 'docs'), { recursive: true });
    git('init', '--quiet', '--initial-branch=main');
    await writeFile(join(repo, 'README.md'), '# Handbook\n\nStart here.\n');
    await writeFile(join(repo, 'docs', 'guide.md'), '# Guide\n\nStep one.\n');
    await writeFile(join(repo, 'docs', 'app.ts'), 'export const answer = 42;\n');
    await writeFile(join(repo, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    await writeFile(
      join(repo, 'manual.pdf'),
      Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 1, 2])]),
    );
    await writeFile(join(repo, 'huge.txt'), 'x'.repeat(5_000));
    await symlink('README.md', join(repo, 'link.md'));
    git('add', '-A');
    git('commit', '--quiet', '-m', 'first');
    git('checkout', '--quiet', '-b', 'release');
    await writeFile(join(repo, 'RELEASE.md'), '# Release notes\n');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'release notes');
    git('checkout', '--quiet', 'main');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists the files of the default branch, follows edits and deletions, and switches branches', async () => {
    const connector = gitConnector(gitSourceConfigSchema.parse({ repository: repo, maxFileBytes: 4_096 }), {
      cacheDir,
    });
    const first = await collect(connector.list(context()));
    expect(first.map((item) => [item.ref, item.kind === 'document' ? item.mediaType : item.code])).toEqual([
      ['README.md', 'README.md'],
      ['docs/app.ts', 'text/plain'],
      ['docs/guide.md', 'guide.md'],
      ['huge.txt', 'file.too_large'],
      ['manual.pdf', 'manual.pdf'],
    ]);
    expect(first[0]).toMatchObject({ location: `${repo}@main:README.md` });
    expect(text(first[0])).toBe('# Handbook\n\nStart here.\n');
    expect(Buffer.from((first[4] as FetchedDocument).content).subarray(-3)).toEqual(Buffer.from([0, 1, 2]));

    await writeFile(join(repo, 'README.md'), '# Handbook\n\nStart here, then read the release notes.\n');
    git('rm', '--quiet', 'docs/guide.md');
    git('commit', '--quiet', '-am', 'edit and delete');
    const second = await collect(connector.list(context()));
    expect(second.map((item) => item.ref)).toEqual(['README.md', 'docs/app.ts', 'huge.txt', 'manual.pdf']);
    expect(text(second[0])).toBe('# Handbook\n\nStart here, then read the release notes.\n');

    const release = gitConnector(
      gitSourceConfigSchema.parse({ repository: `file://${repo}`, branch: 'release', include: ['*.md'] }),
      { cacheDir },
    );
    const onRelease = await collect(release.list(context()));
    expect(onRelease.map((item) => item.ref)).toEqual(['README.md', 'RELEASE.md', 'docs/guide.md']);
    expect(onRelease[1]).toMatchObject({ location: `file://${repo}@release:RELEASE.md` });
    expect(text(onRelease[0])).toBe('# Handbook\n\nStart here.\n');
  });

  it('keeps only files matching the include globs', async () => {
    const connector = gitConnector(
      gitSourceConfigSchema.parse({
        repository: repo,
        branch: 'main',
        include: ['docs/**', 'manual.{pdf,docx}'],
      }),
      { cacheDir },
    );
    expect((await collect(connector.list(context()))).map((item) => item.ref)).toEqual([
      'docs/app.ts',
      'manual.pdf',
    ]);
  });

  it('fails the whole listing, clearly, for a branch or repository that is not there', async () => {
    const missingBranch = gitConnector(gitSourceConfigSchema.parse({ repository: repo, branch: 'nope' }), {
      cacheDir,
    });
    const error = await collect(missingBranch.list(context())).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AgentOsError);
    expect((error as AgentOsError).message).toMatch(
      /Could not fetch branch "nope" of .*couldn't find remote ref/,
    );

    const missingRepo = gitConnector(gitSourceConfigSchema.parse({ repository: join(root, 'absent') }), {
      cacheDir,
    });
    await expect(collect(missingRepo.list(context()))).rejects.toThrow(/Could not fetch branch "main"/);
  });

  it('cannot run a command through a remote helper even if a config skipped validation', async () => {
    const marker = join(root, 'pwned');
    const unchecked = gitConnector(
      { repository: `ext::sh -c touch% ${marker}`, maxFileBytes: 1_000, maxFiles: 10 },
      { cacheDir },
    );
    await expect(collect(unchecked.list(context()))).rejects.toThrow(/transport 'ext' not allowed/);
    await expect(access(marker)).rejects.toThrow();
  });

  it('refuses repository strings git could read as options or unsafe transports', () => {
    for (const repository of [
      '--upload-pack=touch /tmp/pwned',
      '-uhttps://example.com/repo.git',
      'ext::sh -c touch% /tmp/pwned',
      'ext::sh%20-c%20touch',
      'fd::17',
      'ssh://-oProxyCommand=touch%20x/repo',
      '-oProxyCommand=x:repo',
      'https://user:token@github.com/org/repo.git',
      'relative/path',
      'ftp://example.com/repo.git',
      'file://host/repo',
    ]) {
      expect(gitSourceConfigSchema.safeParse({ repository }).success, repository).toBe(false);
    }
    for (const repository of [
      '/srv/git/handbook.git',
      'file:///srv/git/handbook.git',
      'https://github.com/org/repo.git',
      'ssh://git@example.com:2222/org/repo.git',
      'git@github.com:org/repo.git',
    ]) {
      expect(gitSourceConfigSchema.safeParse({ repository }).success, repository).toBe(true);
    }
    for (const branch of ['-f', '../main', 'a..b', 'x.lock', 'feature/', '.hidden', 'a b']) {
      expect(gitSourceConfigSchema.safeParse({ repository: repo, branch }).success, branch).toBe(false);
    }
    expect(gitSourceConfigSchema.safeParse({ repository: repo, branch: 'feature/new-ui_2' }).success).toBe(
      true,
    );
  });
});
