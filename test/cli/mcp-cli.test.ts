import { afterAll, describe, expect, it } from 'vitest';
import { BANK_SERVER, TSX_LOADER } from '../mcp/mcp-harness.ts';
import { runCli, type ServedForTest, startServeForTest } from '../support/run-cli.ts';
import { tempHome } from '../support/test-config.ts';
import { createTestDatabase, type TestDatabase, testDatabaseUrl } from '../support/test-stores.ts';

interface ServerJson {
  id: string;
  name: string;
  transport: string;
  command: string | null;
  args: string[];
  url: string | null;
  secretNames: { env: string[]; headers: string[] };
  connection?: { state: string };
}
interface ToolJson {
  name: string;
  qualifiedName: string;
  effect: string;
  stakes: string;
  trustedOutput: boolean;
  argumentRoles: Record<string, string>;
  securityArguments: string[] | null;
  destinations: string[];
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

const kinds = testDatabaseUrl === undefined ? (['pglite'] as const) : (['pglite', 'postgres'] as const);

describe.each(kinds)('agentos mcp add, list, tools, label and remove on %s', (kind) => {
  let cwd: string;
  let server: ServedForTest;
  const agentos = (args: readonly string[]) => runCli([...args, '--url', server.url], { cwd });
  const json = async <T>(args: readonly string[]): Promise<T> => {
    const result = await agentos([...args, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  // About twenty CLI processes, each several seconds on a loaded machine: a long limit.
  it('registers a real stdio server, labels its tools and removes it', async () => {
    cwd = tempHome();
    let env: NodeJS.ProcessEnv = {};
    if (kind === 'postgres') {
      const database = await createTestDatabase(testDatabaseUrl!);
      databases.push(database);
      env = { DATABASE_URL: database.url };
    }
    server = await startServeForTest(cwd, env);
    try {
      const added = await json<{ server: ServerJson }>([
        'mcp',
        'add',
        'bank',
        '--command',
        process.execPath,
        '--arg',
        '--import',
        '--arg',
        TSX_LOADER,
        '--arg',
        BANK_SERVER,
        '--env',
        'BANK_TOKEN=s3cret=value',
      ]);
      expect(added.server).toMatchObject({
        name: 'bank',
        transport: 'stdio',
        command: process.execPath,
        args: ['--import', TSX_LOADER, BANK_SERVER],
        secretNames: { env: ['BANK_TOKEN'], headers: [] },
      });
      expect(JSON.stringify(added)).not.toContain('s3cret');
      const http = await json<{ server: ServerJson }>([
        'mcp',
        'add',
        'remote',
        '--mcp-url',
        'https://mcp.example.com/mcp',
        '--header',
        'Authorization=Bearer abc',
      ]);
      expect(http.server).toMatchObject({ transport: 'http', url: 'https://mcp.example.com/mcp' });
      expect(http.server.secretNames.headers).toEqual(['Authorization']);

      const listed = await json<{ servers: ServerJson[] }>(['mcp', 'list']);
      expect(listed.servers.map((s) => s.name)).toEqual(['bank', 'remote']);
      const human = await agentos(['mcp', 'list']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(
        /^bank\s+stdio\s+.*bank-server\.ts\s+BANK_TOKEN\s+(idle|connected)\s+mcp_/m,
      );

      const { tools } = await json<{ tools: ToolJson[] }>(['mcp', 'tools', 'bank']);
      expect(tools.map((t) => t.qualifiedName).sort()).toEqual(['bank__get_balance', 'bank__send_money']);
      expect(tools.find((t) => t.name === 'get_balance')).toMatchObject({
        trustedOutput: false,
        argumentRoles: {},
        securityArguments: null,
      });

      const trusted = await json<{ tool: ToolJson }>([
        'mcp',
        'label',
        'bank',
        'get_balance',
        '--trusted-output',
        '--effect',
        'read',
        '--stakes',
        'low',
      ]);
      expect(trusted.tool).toMatchObject({ trustedOutput: true, effect: 'read', stakes: 'low' });
      await json(['mcp', 'label', 'bank', 'send_money', '--role', 'recipient=recipient', '--stakes', 'high']);
      const both = await json<{ tool: ToolJson }>([
        'mcp',
        'label',
        'bank',
        'bank__send_money',
        '--role',
        'amount=amount',
        '--effect',
        'external_send',
      ]);
      // A new --role adds to the roles set before; the stakes set before stay.
      expect(both.tool).toMatchObject({
        effect: 'external_send',
        stakes: 'high',
        argumentRoles: { recipient: 'recipient', amount: 'amount' },
      });
      expect(both.tool.securityArguments?.sort()).toEqual(['amount', 'recipient']);
      expect(both.tool.destinations).toContain('recipient');
      const dropped = await json<{ tool: ToolJson }>([
        'mcp',
        'label',
        'bank',
        'send_money',
        '--role',
        'amount=none',
      ]);
      expect(dropped.tool.argumentRoles).toEqual({ recipient: 'recipient' });
      const fields = await json<{ tool: ToolJson & { trustedFields: string[] } }>([
        'mcp',
        'label',
        'bank',
        'send_money',
        '--trusted-field',
        'receipt.id',
        '--trusted-field',
        '[].amount',
      ]);
      expect(fields.tool.trustedFields).toEqual(['receipt.id', '[].amount']);
      const badField = await agentos(['mcp', 'label', 'bank', 'send_money', '--trusted-field', 'a[0]']);
      expect(badField.code).toBe(2);
      expect(badField.stderr).toMatch(/request\.invalid.*field path/);
      const noFields = await json<{ tool: { trustedFields: string[] } }>([
        'mcp',
        'label',
        'bank',
        'send_money',
        '--clear-trusted-fields',
      ]);
      expect(noFields.tool.trustedFields).toEqual([]);

      // The server checks argument names against the tool's schema; an unknown tool is not found.
      const unknownArgument = await agentos([
        'mcp',
        'label',
        'bank',
        'send_money',
        '--role',
        'iban=recipient',
      ]);
      expect(unknownArgument.code).toBe(2);
      expect(unknownArgument.stderr).toMatch(/request\.invalid.*has no argument "iban"/);
      const unknownTool = await agentos(['mcp', 'label', 'bank', 'steal', '--stakes', 'low', '--json']);
      expect(unknownTool.code).toBe(1);
      expect(JSON.parse(unknownTool.stderr)).toMatchObject({ error: { code: 'resource.not_found' } });

      const table = await agentos(['mcp', 'tools', 'bank']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^bank__get_balance\s+read\s+low\s+yes\s+-/m);
      expect(table.stdout).toMatch(/^bank__send_money\s+external_send\s+high\s+no\s+recipient=recipient/m);

      const cleared = await json<{ tool: ToolJson }>([
        'mcp',
        'label',
        'bank',
        'send_money',
        '--clear-roles',
        '--untrusted-output',
      ]);
      expect(cleared.tool).toMatchObject({
        argumentRoles: {},
        trustedOutput: false,
        securityArguments: null,
      });

      const removed = await json<{ server: ServerJson }>(['mcp', 'remove', 'remote']);
      expect(removed.server.name).toBe('remote');
      await json(['mcp', 'remove', added.server.id]);
      expect((await json<{ servers: ServerJson[] }>(['mcp', 'list'])).servers).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 300_000);
});

describe('agentos mcp refuses bad flags before asking the server', () => {
  const cwd = tempHome();
  // Nothing listens here: every refusal below happens before a request is sent.
  const offline = (args: readonly string[]) =>
    runCli([...args, '--url', 'http://127.0.0.1:9', '--api-key', 'k', '--json'], { cwd });
  const refused = async (args: readonly string[], message: RegExp) => {
    const result = await offline(args);
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('request.invalid');
    expect(error.message).toMatch(message);
  };

  it('exits 2 with request.invalid naming the flag', async () => {
    await refused(['mcp', 'add', 'x'], /either --command <cmd> .* or --mcp-url/);
    await refused(['mcp', 'add', 'x', '--command', 'a', '--mcp-url', 'https://a.example'], /either/);
    await refused(['mcp', 'add', 'x', '--command', 'a', '--env', 'NOVALUE'], /--env takes KEY=VALUE/);
    await refused(['mcp', 'add', 'x', '--command', 'a', '--env', 'A=1', '--env', 'A=2'], /given twice/);
    await refused(['mcp', 'add', 'x', '--mcp-url', 'https://a.example', '--arg', 'b'], /need --command/);
    await refused(['mcp', 'add', 'x', '--command', 'a', '--header', 'A=1'], /--header needs --mcp-url/);
    await refused(['mcp', 'add', 'Bad.Name', '--command', 'a'], /lowercase letters/);
    await refused(['mcp', 'add', 'x', '--mcp-url', 'ftp://a.example'], /url/i);
    await refused(['mcp', 'add', 'x', '--command', 'a', '--env', '1BAD=x'], /env\.1BAD/);
    await refused(['mcp', 'label', 'bank', 'send_money', '--effect', 'sideways'], /--effect must be one of/);
  }, 300_000);

  it('a bare `agentos mcp` with an unknown word is a usage mistake, not a server start', async () => {
    const result = await runCli(['mcp', 'nosuch'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/too many arguments for 'mcp'/);
  });
});
