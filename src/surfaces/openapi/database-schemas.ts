import { z } from 'zod';
import { databaseLimitsSchema } from '../../plugins/databases/database-source-repo.ts';
import { timestamp } from './common-schemas.ts';

const columnSchema = z.object({ name: z.string(), type: z.string(), nullable: z.boolean() });
const tableSchema = z.object({ schema: z.string(), name: z.string(), columns: z.array(columnSchema) });

/** A connected database as the API writes it (`DatabaseSource`): the URL without its password. */
export const databaseSourceSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    kind: z.enum(['postgres', 'mysql']),
    shownUrl: z.string(),
    description: z.string(),
    spaceId: z.string().nullable(),
    trustedOutput: z.boolean(),
    limits: databaseLimitsSchema,
    schema: z.object({ tables: z.array(tableSchema), truncated: z.boolean() }).nullable(),
    schemaReadAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'DatabaseSource' });

export const databaseListSchema = z.object({ databases: z.array(databaseSourceSchema) });
export const databaseBodySchema = z.object({ database: databaseSourceSchema });

/** `POST /api/databases/:id/query`: what an admin checks before granting it (the same path as the tool's). */
export const databaseQueryBodySchema = z.strictObject({ sql: z.string().min(1).max(20_000) });
export const databaseQueryResultSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
  rowCount: z.number().int(),
  truncated: z.boolean(),
  truncatedBy: z.enum(['rows', 'bytes']).optional(),
  elapsedMs: z.number(),
});
