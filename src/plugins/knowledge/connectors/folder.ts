import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../connector.ts';
import { PARSEABLE_EXTENSIONS } from '../media-type.ts';

export const folderSourceConfigSchema = z.strictObject({
  /** An absolute path on the machine running the sync. */
  path: z.string().min(1).max(4_096).refine(isAbsolute, 'an absolute path'),
  /** Files larger than this are reported as failed, not read. */
  maxFileBytes: z
    .number()
    .int()
    .min(1)
    .max(200 * 1024 * 1024)
    .default(20 * 1024 * 1024),
});
export type FolderSourceConfig = z.output<typeof folderSourceConfigSchema>;

const inside = (root: string, path: string) => path === root || path.startsWith(root + sep);

/**
 * Every parseable file under the folder (Markdown, text, HTML, PDF, DOCX, CSV), recursively and in name
 * order; dot-files and dot-directories are skipped, symbolic links are followed only when they resolve
 * inside the folder (each directory once), files over the size cap are reported as failures.
 */
export function folderConnector(config: FolderSourceConfig): Connector {
  return {
    async *list(context: ConnectorContext): AsyncIterable<ConnectorItem> {
      const root = await realpath(config.path).catch(() => {
        throw new AgentOsError(
          'resource.not_found',
          `The folder ${config.path} does not exist or cannot be read`,
        );
      });
      if (!(await stat(root)).isDirectory())
        throw new AgentOsError('request.invalid', `${config.path} is not a directory`);
      const visited = new Set<string>();
      async function* walk(directory: string): AsyncIterable<ConnectorItem> {
        if (visited.has(directory)) return;
        visited.add(directory);
        const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) =>
          a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
        );
        for (const entry of entries) {
          context.signal.throwIfAborted();
          if (entry.name.startsWith('.')) continue;
          let path = join(directory, entry.name);
          if (entry.isSymbolicLink()) {
            const target = await realpath(path).catch(() => undefined);
            if (target === undefined || !inside(root, target)) {
              context.log(`skipped ${relative(root, path)}: a link outside the folder`);
              continue;
            }
            path = target;
          }
          const info = await lstat(path).catch(() => undefined);
          if (info?.isDirectory()) {
            yield* walk(path);
            continue;
          }
          if (info === undefined || !info.isFile()) continue;
          if (!PARSEABLE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) continue;
          const ref = relative(root, join(directory, entry.name)).split(sep).join('/');
          if (info.size > config.maxFileBytes) {
            yield {
              kind: 'failure',
              ref,
              location: path,
              code: 'file.too_large',
              message: `${info.size} bytes is over this source's limit of ${config.maxFileBytes}`,
            };
            continue;
          }
          try {
            const content = new Uint8Array(await readFile(path));
            yield { kind: 'document', ref, location: path, mediaType: entry.name, content };
          } catch (error) {
            yield {
              kind: 'failure',
              ref,
              location: path,
              code: 'file.read_failed',
              message: (error as Error).message,
            };
          }
        }
      }
      yield* walk(root);
    },
  };
}
