import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';

interface MemoryJson {
  id: string;
  kind: string;
  content: string;
  scope: string;
  subjects: string[];
  importance: number;
  deletedAt: string | null;
}

describe('agentos memories through a running server', () => {
  let cwd: string;
  let url: string;
  let server: ServedForTest;
  const agentos = (args: readonly string[]) => runCli([...args, '--url', url], { cwd });
  const parsed = <T>(result: { code: number | null; stdout: string; stderr: string }): T => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    cwd = tempHome();
    server = await startServeForTest(cwd);
    url = server.url;
  }, 30_000);

  afterAll(async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('adds, searches, lists, shows, edits and deletes memories', async () => {
    const added = parsed<{ memory: MemoryJson; merged: boolean }>(
      await agentos([
        'memories',
        'add',
        'Invoices are sent on the first working day of the month.',
        '--kind',
        'procedure',
        '--scope',
        'workspace',
        '--subject',
        'billing',
        '--json',
      ]),
    );
    expect(added).toMatchObject({
      merged: false,
      memory: { kind: 'procedure', scope: 'workspace', subjects: ['billing'] },
    });
    const id = added.memory.id;

    const found = parsed<{ memories: MemoryJson[] }>(
      await agentos(['memories', 'search', 'when are invoices sent', '--json']),
    );
    expect(found.memories[0]?.id).toBe(id);
    const human = await agentos(['memories', 'search', 'invoices']);
    expect(human.stdout).toMatch(/^id\s+kind\s+scope\s+date\s+content/);
    expect(human.stdout).toContain(id);

    const listed = parsed<{ memories: MemoryJson[] }>(
      await agentos(['memories', 'list', '--scope', 'workspace', '--json']),
    );
    expect(listed.memories.map((memory) => memory.id)).toEqual([id]);

    const edited = parsed<{ memory: MemoryJson }>(
      await agentos([
        'memories',
        'edit',
        id,
        '--importance',
        '0.9',
        '--content',
        'Invoices go out on the first working day.',
        '--json',
      ]),
    );
    expect(edited.memory).toMatchObject({ content: 'Invoices go out on the first working day.' });
    expect(edited.memory.importance).toBeCloseTo(0.9);
    const shown = await agentos(['memories', 'show', id]);
    expect(shown.stdout).toContain('Invoices go out on the first working day.');
    expect(shown.stdout).toContain('changes:    2');

    const deleted = parsed<{ memory: MemoryJson }>(await agentos(['memories', 'delete', id, '--json']));
    expect(deleted.memory.deletedAt).toEqual(expect.any(String));
    const gone = await agentos(['memories', 'show', id, '--json']);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stderr)).toMatchObject({ error: { code: 'resource.not_found' } });
  }, 60_000);

  it('pins, lists and deletes memory blocks', async () => {
    interface BlockJson {
      id: string;
      scope: string;
      label: string;
      content: string;
    }
    const set = parsed<{ block: BlockJson; changed: boolean }>(
      await agentos(['memories', 'blocks', 'set', 'tone', 'Short answers, please.', '--json']),
    );
    expect(set).toMatchObject({ changed: true, block: { scope: 'user', label: 'tone' } });
    const workspace = parsed<{ block: BlockJson }>(
      await agentos(['memories', 'blocks', 'set', 'rules', 'Be kind.', '--scope', 'workspace', '--json']),
    );
    const listed = parsed<{ blocks: BlockJson[] }>(await agentos(['memories', 'blocks', 'list', '--json']));
    expect(listed.blocks.map((b) => `${b.scope}/${b.label}`)).toEqual(['user/tone', 'workspace/rules']);
    const text = await agentos(['memories', 'blocks', 'list']);
    expect(text.stdout).toContain('Short answers, please.');
    const deleted = parsed<{ block: BlockJson }>(
      await agentos(['memories', 'blocks', 'delete', workspace.block.id, '--json']),
    );
    expect(deleted.block.id).toBe(workspace.block.id);
    const badLabel = await agentos(['memories', 'blocks', 'set', 'Bad Label', 'x', '--json']);
    expect(badLabel.code).toBe(2);
  }, 60_000);

  it('exits 2 for usage mistakes and bodies the server rejects', async () => {
    const badImportance = await agentos(['memories', 'add', 'x', '--importance', '7', '--json']);
    expect(badImportance.code).toBe(2);
    const badKind = await agentos(['memories', 'add', 'x', '--kind', 'rumour', '--json']);
    expect(badKind.code).toBe(2);
    expect(JSON.parse(badKind.stderr)).toMatchObject({ error: { code: 'request.invalid' } });
    const nothing = await agentos(['memories', 'edit', 'mem_x', '--json']);
    expect(nothing.code).toBe(2);
  }, 30_000);
});
