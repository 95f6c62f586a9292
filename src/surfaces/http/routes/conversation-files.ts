import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError, isAgentOsError } from '../../../core/errors/agent-os-error.ts';
import {
  deleteConversationFile,
  getConversationFile,
  listConversationFiles,
  storeConversationFiles,
} from '../../../plugins/conversations/conversation-files.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';
import { visibleConversation } from '../conversation-posting.ts';
import { errorResponse } from '../error-response.ts';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  MAX_FILES_PER_UPLOAD,
  readUploadedFiles,
  UPLOAD_MEDIA_TYPES,
} from '../file-upload.ts';
import { conversationFileSchema } from './conversation-schemas.ts';

const tags = ['conversations'];
const idParams = z.object({ id: z.string().min(1).max(200) });
const fileParams = z.object({ id: z.string().min(1).max(200), fileId: z.string().min(1).max(200) });
const uploadQuery = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(1_000)
    .optional()
    .meta({ description: "A raw body's file name (its extension decides a generic Content-Type)" }),
});
const filesBody = z.object({ attachments: z.array(conversationFileSchema) });

/**
 * Files attached to a conversation: uploaded by whoever may post in it, parsed into documents that only the
 * runs answering in it search (`search_knowledge`, source "attachments"), removed with it.
 */
export function conversationFileRoutes({ kernel }: Pick<RouteDeps, 'kernel'>): Hono<AppEnv> {
  const limit = () => kernel.config.conversations?.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'post',
      path: '/conversations/:id/files',
      resource: 'conversation',
      summary: 'Attach files to a conversation (PDF, DOCX, Markdown, text, CSV, HTML)',
      description:
        `multipart/form-data with up to ${MAX_FILES_PER_UPLOAD} \`file\` fields, or one file as the raw body ` +
        '(its Content-Type, `?name=` its file name). All the files together may be at most ' +
        '`conversations.maxUploadBytes` (default 20 MB): a body passing it is cut off with 413. Each file is parsed ' +
        'and indexed at once; one that cannot be parsed is kept with `status: "failed"` and its error. Post a ' +
        'message with `attachments: [id]` to hand them to the agents.',
      tags,
      action: 'conversations.write',
      params: idParams,
      query: uploadQuery,
      upload: { mediaTypes: UPLOAD_MEDIA_TYPES, description: 'The files' },
      responses: {
        201: { description: 'The stored files, in upload order', schema: filesBody },
        413: { description: 'Over the upload limit (`request.too_large`); nothing is stored' },
        415: {
          description: 'A file of a kind not taken (`request.unsupported_media_type`); nothing is stored',
        },
      },
    },
    async (c, { params, query }) => {
      const principal = c.get('principal');
      // Visible first: a conversation the caller may not read answers 404 before a byte is read.
      const conversation = await visibleConversation(c, kernel, params.id);
      let files: Awaited<ReturnType<typeof readUploadedFiles>>;
      try {
        files = await readUploadedFiles(c.req.raw, { name: query.name, limit: limit() });
      } catch (error) {
        if (!isAgentOsError(error) || error.code !== 'request.too_large') throw error;
        // The sender may still be sending: close the connection rather than read the rest.
        c.header('connection', 'close');
        return errorResponse(c, error);
      }
      const attachments = await storeConversationFiles(kernel.store, conversation, principal.userId, files);
      return c.json({ attachments }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/conversations/:id/files',
      resource: 'conversation',
      summary: "A conversation's files, oldest first",
      tags,
      action: 'conversations.read',
      params: idParams,
      responses: { 200: { description: 'The files', schema: filesBody } },
    },
    async (c, { params }) => {
      const conversation = await visibleConversation(c, kernel, params.id);
      return c.json({ attachments: await listConversationFiles(kernel.store, conversation.id) });
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/conversations/:id/files/:fileId',
      resource: 'conversation',
      summary: 'Remove a file from a conversation (its uploader or the conversation’s owner)',
      description: 'Its content leaves search at once; messages that carried it keep its name.',
      tags,
      action: 'conversations.write',
      params: fileParams,
      responses: {
        200: {
          description: 'The removed file',
          schema: z.object({ deleted: z.literal(true), id: z.string() }),
        },
      },
    },
    async (c, { params }) => {
      const principal = c.get('principal');
      const conversation = await visibleConversation(c, kernel, params.id);
      const file = await getConversationFile(kernel.store, conversation.id, params.fileId);
      if (file.uploadedBy !== principal.userId && conversation.ownerId !== principal.userId)
        throw new AgentOsError(
          'auth.forbidden',
          "Only the file's uploader or the conversation's owner may remove it",
        );
      await deleteConversationFile(kernel.store, file);
      return c.json({ deleted: true as const, id: file.id });
    },
  );
  return api;
}
