import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { searchKnowledge } from '../../src/plugins/knowledge/knowledge-search.ts';
import { parseSourceConfig } from '../../src/plugins/knowledge/source-kinds.ts';
import { createSource, listDocuments, updateSource } from '../../src/plugins/knowledge/source-repo.ts';
import { runSourceSync } from '../../src/plugins/knowledge/source-sync.ts';
import { storeTargets } from '../support/test-stores.ts';

const actor = { type: 'system' as const, id: 'test' };

describe.each(storeTargets())('a git source through the sync engine on $kind', (target) => {
  let store: Store;
  let root: string;
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  beforeAll(async () => {
    store = await target.open();
    root = await mkdtemp(join(tmpdir(), 'agentos-gitsync-'));
    repo = join(root, 'handbook');
    await mkdir(join(repo, 'docs'), { recursive: true });
    git('init', '--quiet', '--initial-branch=main');
    await writeFile(join(repo, 'README.md'), '# Handbook\n\nExpense reports are due on the fifth.\n');
    await writeFile(
      join(repo, 'docs', 'onboarding.md'),
      '# Onboarding\n\nLaptops are ordered by the IT desk.\n',
    );
    git('add', '-A');
    git('commit', '--quiet', '-m', 'first');
    git('branch', 'archive');
  });

  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('syncs, re-syncs an edit and a deletion, and follows a branch switch', async () => {
    const workspaceId = (await createWorkspace(store, 'acme')).id;
    const deps = { store, version: '1.0.0', home: join(root, 'home') };
    let source = await createSource(store, {
      workspaceId,
      spaceId: null,
      name: 'handbook',
      kind: 'git',
      config: parseSourceConfig('git', { repository: repo }),
      scheduleMinutes: null,
      createdBy: null,
    });
    const documents = async () =>
      (await listDocuments(store, source.id, { limit: 100 })).map((d) => [d.ref, d.status, d.location]);
    const search = (query: string) => searchKnowledge(store, { query, sourceIds: [source.id], limit: 5 });

    const first = await runSourceSync(deps, source, actor);
    expect(first).toMatchObject({ status: 'ok', counts: { added: 2, updated: 0, deleted: 0, failed: 0 } });
    expect(await documents()).toEqual([
      ['README.md', 'ok', `${repo}@main:README.md`],
      ['docs/onboarding.md', 'ok', `${repo}@main:docs/onboarding.md`],
    ]);
    expect((await search('laptops IT desk'))[0]?.document).toMatchObject({ ref: 'docs/onboarding.md' });

    await writeFile(join(repo, 'README.md'), '# Handbook\n\nExpense reports are due on the tenth.\n');
    git('rm', '--quiet', 'docs/onboarding.md');
    git('commit', '--quiet', '-am', 'edit and delete');
    const second = await runSourceSync(deps, source, actor);
    expect(second).toMatchObject({
      status: 'ok',
      counts: { added: 0, updated: 1, unchanged: 0, deleted: 1 },
    });
    expect(await documents()).toEqual([['README.md', 'ok', `${repo}@main:README.md`]]);
    expect(await search('laptops IT desk')).toEqual([]);
    expect((await search('expense tenth'))[0]?.text).toContain('due on the tenth');

    source = await updateSource(store, source, {
      config: parseSourceConfig('git', { repository: repo, branch: 'archive' }),
    });
    const third = await runSourceSync(deps, source, actor);
    expect(third).toMatchObject({ status: 'ok', counts: { added: 1, updated: 1, deleted: 0 } });
    expect(await documents()).toEqual([
      ['README.md', 'ok', `${repo}@archive:README.md`],
      ['docs/onboarding.md', 'ok', `${repo}@archive:docs/onboarding.md`],
    ]);
  });
});
