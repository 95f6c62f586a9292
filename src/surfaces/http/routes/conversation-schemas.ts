import { z } from 'zod';

/** The JSON shapes of the conversations API (dates as ISO strings), for the OpenAPI document. */
const timestamp = z.iso.datetime({ offset: true });

export const conversationSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    ownerId: z.string(),
    title: z.string(),
    spaceId: z.string().nullable().meta({ description: 'Shared with this space; null while private' }),
    space: z.string().nullable().meta({ description: "The shared space's name" }),
    archived: z.boolean(),
    lastAgentId: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Conversation' });

export const messageAttachmentSchema = z
  .object({
    id: z.string().meta({ description: "The file's id (GET /conversations/{id}/files)" }),
    name: z.string(),
    mediaType: z.string(),
    size: z.number().int(),
    readable: z.boolean().meta({ description: 'False when the file could not be parsed' }),
  })
  .meta({ id: 'MessageAttachment' });

/** A file attached to a conversation, parsed into a document only its runs search. */
export const conversationFileSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    name: z.string(),
    mediaType: z.string(),
    size: z.number().int().meta({ description: 'Bytes' }),
    documentId: z.string(),
    status: z.enum(['ok', 'failed']).meta({ description: '`failed`: it could not be parsed (see `error`)' }),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    chunks: z.number().int().meta({ description: 'Searchable passages made from it' }),
    uploadedBy: z.string(),
    createdAt: timestamp,
  })
  .meta({ id: 'ConversationFile' });

export const plannedReplySchema = z.object({
  agentId: z.string(),
  agentName: z.string(),
  runId: z.string(),
  handedOffBy: z
    .string()
    .optional()
    .meta({ description: 'The run of the earlier reply that handed this agent the message (hand_off)' }),
});

export const conversationMessageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    seq: z.number().int(),
    role: z.enum(['user', 'agent']),
    author: z.string().meta({ description: "The user's id, or the agent's id (version in agentVersion)" }),
    authorName: z.string(),
    agentVersion: z.number().int().nullable(),
    content: z.string(),
    mentions: z.array(z.string()),
    attachments: z.array(messageAttachmentSchema),
    replies: z.array(plannedReplySchema),
    runId: z.string().nullable(),
    status: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'ConversationMessage' });

export const replySchema = z
  .object({
    agent: z.string().meta({ description: "The answering agent's name" }),
    agentId: z.string(),
    runId: z.string(),
    status: z.enum(['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'budget_exceeded']),
    content: z.string().meta({ description: 'The reply, or what it has streamed so far' }),
    messageId: z.string().nullable().meta({ description: "The reply's message once written" }),
    handedOffBy: z
      .string()
      .nullable()
      .meta({ description: 'The run of the earlier reply that handed this agent the message (hand_off)' }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .meta({ id: 'ConversationReply' });

export const conversationBody = z.object({ conversation: conversationSchema });
export const conversationWithMessages = z.object({
  conversation: conversationSchema,
  messages: z.array(conversationMessageSchema),
});
export const postedMessageBody = z.object({
  message: conversationMessageSchema,
  replies: z.array(replySchema),
});
