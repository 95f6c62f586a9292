import { z } from 'zod';
import {
  memoryKindSchema,
  memoryScopeSchema,
  memoryTrustSchema,
  provenanceSchema,
} from '../../plugins/memory/memory-record.ts';
import { looseObject, timestamp } from './common-schemas.ts';

/** A long-term memory as the API writes it (`memory/memory-record.ts` MemoryRecord). */
export const memorySchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    kind: memoryKindSchema,
    content: z.string(),
    subjects: z.array(z.string()),
    context: z.string(),
    scope: memoryScopeSchema,
    scopeId: z.string(),
    provenance: provenanceSchema,
    trust: memoryTrustSchema,
    confidence: z.number(),
    importance: z.number(),
    validFrom: timestamp,
    validTo: timestamp.nullable(),
    supersededBy: z.string().nullable(),
    occurredAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    deletedAt: timestamp.nullable(),
    score: z.number().optional().meta({ description: 'How well it matched, when searching' }),
  })
  .meta({ id: 'Memory' });

/** One entry of a memory's history (`memory/memory-changes.ts` MemoryChange). */
export const memoryChangeSchema = z
  .object({
    id: z.number().int(),
    memoryId: z.string(),
    action: z.enum(['create', 'merge', 'update', 'supersede', 'delete', 'expire']),
    userId: z.string().nullable(),
    agentId: z.string().nullable(),
    runId: z.string().nullable(),
    old: looseObject.nullable().meta({ description: 'The changed fields before' }),
    new: looseObject.nullable().meta({ description: 'The changed fields after' }),
    createdAt: timestamp,
  })
  .meta({ id: 'MemoryChange' });

/** A pinned memory block (`memory/memory-blocks.ts` MemoryBlock). */
export const memoryBlockSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    scope: z.enum(['agent', 'user', 'workspace']),
    scopeId: z.string(),
    label: z.string(),
    content: z.string(),
    updatedBy: z.string().meta({ description: 'The user or agent id that wrote it last' }),
    updatedAt: timestamp,
    trusted: z.boolean().meta({ description: 'Written by a person' }),
  })
  .meta({ id: 'MemoryBlock' });
