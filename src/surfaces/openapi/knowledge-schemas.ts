import { z } from 'zod';
import { timestamp } from './common-schemas.ts';

/** One document of a knowledge source, with its chunk count (`knowledge/source-record.ts` KnowledgeDocument). */
export const knowledgeDocumentSchema = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    ref: z.string(),
    title: z.string(),
    location: z.string(),
    mediaType: z.string(),
    contentHash: z.string().nullable(),
    bytes: z.number().int(),
    untrusted: z.boolean(),
    status: z.enum(['ok', 'failed']),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    chunks: z.number().int(),
    updatedAt: timestamp,
  })
  .meta({ id: 'KnowledgeDocument' });

/** A source's documents in ref order. */
export const knowledgeDocumentsSchema = z.object({
  source: z.object({ id: z.string(), name: z.string() }),
  documents: z.array(knowledgeDocumentSchema),
});

/** One cited search result: `citationId` is what an answer cites (`[K12]`). */
export const knowledgeHitSchema = z
  .object({
    citationId: z.string(),
    source: z.string(),
    document: z.string(),
    section: z.string(),
    location: z.string(),
    snippet: z.string(),
    text: z.string(),
    score: z.number(),
    untrusted: z.boolean(),
  })
  .meta({ id: 'KnowledgeHit' });
