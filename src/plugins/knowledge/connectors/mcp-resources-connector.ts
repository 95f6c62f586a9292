import type { ReadResourceResult, Resource } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { mcpServerNameSchema } from '../../mcp/mcp-server-repo.ts';
import type { Connector, ConnectorContext, ConnectorItem, FetchedDocument } from '../connector.ts';
import { resolveMediaType } from '../media-type.ts';
import type { McpResourceAccess } from './mcp-resources-access.ts';

/** Listing pages before the connector stops trusting the server's cursors. */
const MAX_LIST_PAGES = 10_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const mcpResourcesSourceConfigSchema = z.strictObject({
  /** The name of an MCP server registered in the workspace. */
  server: mcpServerNameSchema,
  /** Only resources whose URI starts with one of these; default: all. */
  uriPrefixes: z.array(z.string().min(1).max(2_000)).min(1).max(100).optional(),
  maxResources: z.number().int().min(1).max(10_000).default(1_000),
  /** A resource content larger than this is reported as failed. */
  maxResourceBytes: z
    .number()
    .int()
    .min(1)
    .max(200 * 1024 * 1024)
    .default(10 * 1024 * 1024),
});
export type McpResourcesSourceConfig = z.output<typeof mcpResourcesSourceConfigSchema>;

export interface McpResourcesConnectorDeps {
  access: McpResourceAccess;
}

type ResourceContent = ReadResourceResult['contents'][number];

/** The media type a content declares, else its resource's, else a guess from the URI's file name. */
function mediaTypeOf(content: ResourceContent, resource: Resource): string {
  const declared = content.mimeType ?? resource.mimeType;
  if (declared !== undefined && declared !== '') return declared;
  const name = content.uri.split(/[?#]/)[0]?.split('/').pop() ?? '';
  if (name !== '' && resolveMediaType(name) !== 'application/octet-stream') return name;
  return 'text' in content ? 'text/plain' : 'application/octet-stream';
}

function bytesOf(content: ResourceContent): Uint8Array | undefined {
  if ('text' in content && typeof content.text === 'string')
    return new Uint8Array(Buffer.from(content.text, 'utf8'));
  if ('blob' in content && typeof content.blob === 'string') {
    const compact = content.blob.replace(/\s+/g, '');
    return BASE64.test(compact) ? new Uint8Array(Buffer.from(compact, 'base64')) : undefined;
  }
  return undefined;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Any MCP server's resources as documents: resources/list (every page, following cursors), then
 * resources/read of each. A read that fails is a failure for that resource; a list that fails fails the
 * sync (nothing is deleted). A resource with several contents gives one document per content.
 */
export function mcpResourcesConnector(
  config: McpResourcesSourceConfig,
  deps: McpResourcesConnectorDeps,
): Connector {
  const wanted = (uri: string) =>
    config.uriPrefixes === undefined || config.uriPrefixes.some((prefix) => uri.startsWith(prefix));

  return {
    async *list(context: ConnectorContext): AsyncIterable<ConnectorItem> {
      const session = await deps.access.open(config.server);
      try {
        const resources: Resource[] = [];
        const listed = new Set<string>();
        const cursors = new Set<string>();
        let cursor: string | undefined;
        for (let page = 0; page < MAX_LIST_PAGES && resources.length < config.maxResources; page++) {
          const result = await session.reader.list(cursor, context.signal);
          for (const resource of result.resources) {
            if (listed.has(resource.uri) || !wanted(resource.uri) || resources.length >= config.maxResources)
              continue;
            listed.add(resource.uri);
            resources.push(resource);
          }
          cursor = result.nextCursor;
          if (cursor === undefined || cursors.has(cursor)) break;
          cursors.add(cursor);
        }
        if (resources.length >= config.maxResources && cursor !== undefined) {
          context.log(`mcp resources: stopped at maxResources (${config.maxResources})`);
        }

        const emitted = new Set<string>();
        for (const resource of resources) {
          context.signal.throwIfAborted();
          const { uri } = resource;
          // What is stored and shown never holds the server's credentials (a URI or name may, too).
          const { redact } = session;
          const shownUri = redact.text(uri);
          const title = redact.text(resource.title ?? resource.name);
          let contents: ResourceContent[];
          try {
            contents = (await session.reader.read(uri, context.signal)).contents;
          } catch (error) {
            if (context.signal.aborted) throw error;
            yield {
              kind: 'failure',
              ref: shownUri,
              location: shownUri,
              code: 'resource.read_failed',
              message: redact.text(messageOf(error)),
            };
            continue;
          }
          if (contents.length === 0) {
            yield {
              kind: 'failure',
              ref: shownUri,
              location: shownUri,
              code: 'resource.empty',
              message: 'The server returned no contents',
            };
            continue;
          }
          for (const [index, content] of contents.entries()) {
            let raw = contents.length === 1 ? uri : content.uri;
            if (emitted.has(raw)) raw = `${uri}#${index + 1}`;
            if (emitted.has(raw)) continue;
            emitted.add(raw);
            const ref = redact.text(raw);
            const served = bytesOf(content);
            const bytes = served === undefined ? undefined : redact.bytes(served);
            if (bytes === undefined) {
              yield {
                kind: 'failure',
                ref,
                location: ref,
                code: 'resource.invalid_content',
                message: 'Neither text nor base64 blob',
              };
              continue;
            }
            if (bytes.byteLength > config.maxResourceBytes) {
              const message = `${bytes.byteLength} bytes is over this source's limit of ${config.maxResourceBytes}`;
              yield { kind: 'failure', ref, location: ref, code: 'resource.too_large', message };
              continue;
            }
            const document: FetchedDocument = {
              kind: 'document',
              ref,
              location: ref,
              mediaType: mediaTypeOf(content, resource),
              content: bytes,
              redact: redact.text,
            };
            if (title !== '') document.title = title;
            yield document;
          }
        }
      } finally {
        await session.release();
      }
    },
  };
}
