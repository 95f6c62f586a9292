import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { type ApiSchemas, call } from '../../client/agent-os-client.ts';
import type { CliClient } from '../api-client.ts';
import { type ClientOptions, clientFor, withClientFlags } from '../client-flags.ts';
import { emit, table, UsageError } from '../output.ts';

type Conversation = ApiSchemas['Conversation'];
type Message = ApiSchemas['ConversationMessage'];

const line = (message: Message): string =>
  `#${message.seq} ${message.authorName}${message.role === 'agent' ? ' (agent)' : ''}: ${message.content}`;

const listRows = (conversations: readonly Conversation[]) =>
  conversations.map((c) => ({
    id: c.id,
    title: c.title === '' ? '(untitled)' : c.title,
    space: c.space ?? 'private',
    archived: c.archived ? 'yes' : '',
    updated: c.updatedAt,
  }));

async function listConversations(client: CliClient, q?: string) {
  return call(client.GET('/api/conversations', { params: { query: q === undefined ? {} : { q } } }));
}

async function showConversation(client: CliClient, id: string) {
  return call(client.GET('/api/conversations/{id}', { params: { path: { id } } }));
}

/** `agentos conversations list|show|export`: the caller's conversations and those shared with them. */
export function registerConversations(program: Command): void {
  const conversations = program.command('conversations').description('Conversations with agents');

  withClientFlags(
    conversations
      .command('list')
      .description('Your conversations and those shared with you, most recent first')
      .option('-q, --query <text>', 'search titles and messages'),
  ).action(async (options: ClientOptions & { query?: string }) => {
    const result = await listConversations(clientFor(program, options), options.query);
    emit(options, result, () =>
      table(listRows(result.conversations), ['id', 'title', 'space', 'archived', 'updated']),
    );
  });

  withClientFlags(
    conversations.command('show <id>').description('A conversation, message by message'),
  ).action(async (id: string, options: ClientOptions) => {
    const result = await showConversation(clientFor(program, options), id);
    emit(options, result, () =>
      [`# ${result.conversation.title || '(untitled)'}`, ...result.messages.map(line)].join('\n'),
    );
  });

  withClientFlags(
    conversations
      .command('export <id>')
      .description('Write a conversation as Markdown (default) or JSON to stdout')
      .option('--format <format>', 'md | json', 'md'),
  ).action(async (id: string, options: ClientOptions & { format: string }) => {
    if (options.format !== 'md' && options.format !== 'json')
      throw new UsageError('--format must be md or json');
    const client = clientFor(program, options);
    const exported = await call(
      client.GET('/api/conversations/{id}/export', {
        params: { path: { id }, query: { format: options.format } },
        parseAs: 'text',
      }),
    );
    process.stdout.write(String(exported));
  });

  withClientFlags(
    program
      .command('chat [agent]')
      .description(
        'Talk with agents in a conversation (/new, /list, /open ID, /quit; @name mentions an agent)',
      ),
  ).action(async (agent: string | undefined, options: ClientOptions) => {
    const client = clientFor(program, options);
    const say = (text: string) => process.stdout.write(`${text}\n`);
    let current: Conversation | undefined;
    const start = async () => {
      const { conversation } = await call(client.POST('/api/conversations', { body: {} }));
      current = conversation;
      say(`new conversation ${conversation.id}`);
    };
    const input = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
    if (process.stdin.isTTY) input.setPrompt('> ');
    say('Type a message, or /new, /list, /open ID, /quit.');
    for await (const raw of input) {
      const text = raw.trim();
      if (text === '') continue;
      if (text === '/quit' || text === '/exit') break;
      try {
        if (text === '/new') await start();
        else if (text === '/list') {
          const result = await listConversations(client);
          say(table(listRows(result.conversations), ['id', 'title', 'space', 'updated']));
        } else if (text.startsWith('/open')) {
          const id = text.slice(5).trim();
          if (id === '') say('usage: /open ID');
          else {
            const result = await showConversation(client, id);
            current = result.conversation;
            say(`opened ${current.id}: ${current.title || '(untitled)'}`);
            for (const message of result.messages.slice(-10)) say(line(message));
          }
        } else if (text.startsWith('/')) say(`unknown command ${text.split(' ')[0]}`);
        else {
          if (current === undefined) await start();
          const toDefault = agent !== undefined && !text.includes('@');
          const { replies } = await call(
            client.POST('/api/conversations/{id}/messages', {
              params: { path: { id: current!.id } },
              body: { content: text, wait: true, ...(toDefault ? { mentions: [agent] } : {}) },
            }),
          );
          for (const reply of replies) {
            say(
              reply.status === 'succeeded'
                ? `${reply.agent}: ${reply.content}`
                : `${reply.agent} (${reply.status}): ${reply.error?.message ?? reply.content}`,
            );
          }
        }
      } catch (error) {
        // One failed command does not end the session.
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      if (process.stdin.isTTY) input.prompt();
    }
    input.close();
  });
}
