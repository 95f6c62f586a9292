import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, cliAgainst, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';

/** `agentos chat` with its stdin fed line by line, as a person would type it. */
function chat(
  args: readonly string[],
  cwd: string,
  lines: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'chat', ...args], {
      cwd,
      env: { ...process.env, DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('agentos conversations and chat through a running server', () => {
  let cwd: string;
  let server: ServedForTest;
  const { agentos, json } = cliAgainst(
    () => server,
    () => cwd,
  );

  beforeAll(async () => {
    cwd = tempHome();
    server = await startServeForTest(cwd);
  }, 30_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('lists, shows and exports conversations', async () => {
    const created = await fetch(`${server.url}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Budget review' }),
    });
    const { conversation } = (await created.json()) as { conversation: { id: string } };
    const list = await json<{ conversations: Array<{ id: string; title: string }> }>([
      'conversations',
      'list',
    ]);
    expect(list.conversations).toEqual([
      expect.objectContaining({ id: conversation.id, title: 'Budget review' }),
    ]);
    const searched = await json<{ conversations: unknown[] }>([
      'conversations',
      'list',
      '--query',
      'nothing-like-it',
    ]);
    expect(searched.conversations).toEqual([]);
    const shown = await json<{ conversation: { id: string }; messages: unknown[] }>([
      'conversations',
      'show',
      conversation.id,
    ]);
    expect(shown).toMatchObject({ conversation: { id: conversation.id }, messages: [] });
    const md = await agentos(['conversations', 'export', conversation.id]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# Budget review');
    const exported = await agentos(['conversations', 'export', conversation.id, '--format', 'json']);
    expect(JSON.parse(exported.stdout)).toMatchObject({ format: 'agentos.conversation/v1' });
    const missing = await agentos(['conversations', 'show', 'cnv_missing']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/No conversation/);
    const bad = await agentos(['conversations', 'export', conversation.id, '--format', 'pdf']);
    expect(bad.code).toBe(2);
    // Seven CLI processes: slow on a loaded machine.
  }, 90_000);

  it('opens a new conversation, lists and reopens one in the chat REPL', async () => {
    const result = await chat(['--url', server.url], cwd, [
      '/new',
      '/list',
      '/open cnv_missing',
      '/bogus',
      '/quit',
    ]);
    expect(result.stdout).toMatch(/new conversation cnv_\w+/);
    expect(result.stdout).toContain('Budget review');
    expect(result.stdout).toContain('unknown command /bogus');
    const id = /new conversation (cnv_\w+)/.exec(result.stdout)![1]!;
    const reopened = await chat(['--url', server.url], cwd, [`/open ${id}`, '/quit']);
    expect(reopened.stdout).toContain(`opened ${id}`);
  }, 60_000);
});
