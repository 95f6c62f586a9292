import { basename } from 'node:path';
import { AgentOsError, isAgentOsError } from '../../core/errors/agent-os-error.ts';
import type { UploadedFile } from '../../plugins/conversations/conversation-files.ts';
import { resolveMediaType } from '../../plugins/knowledge/media-type.ts';
import { readLimitedBody } from '../../plugins/orchestration/limited-body.ts';
import { assertRequestText } from '../openapi/text-hygiene.ts';

export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** Room, beyond the files' own bytes, for a multipart body's boundaries and part headers. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
export const MAX_FILES_PER_UPLOAD = 20;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** What a conversation takes: the kinds the knowledge parsers read (parse-document.ts), by media type. */
export const UPLOAD_MEDIA_TYPES: readonly string[] = [
  'application/pdf',
  DOCX,
  'text/markdown',
  'text/x-markdown',
  'text/plain',
  'text/csv',
  'text/tab-separated-values',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.apache.parquet',
  'text/html',
];
/** Labels that say nothing of the content: the file name's extension decides instead. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream']);

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

const tooLarge = (limit: number) =>
  new AgentOsError(
    'request.too_large',
    `The upload is over ${megabytes(limit)} (the server's conversations.maxUploadBytes)`,
    { limitBytes: limit },
  );

/** A file name as stored and cited: its last path segment (some browsers send a whole path), trimmed. */
export function uploadName(raw: string): string {
  assertRequestText(raw, 'file name');
  const name = basename(raw.replaceAll('\\', '/')).trim();
  if (name === '' || name.length > 255)
    throw new AgentOsError('request.invalid', 'A file name must have 1 to 255 characters');
  if ([...name].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f))
    throw new AgentOsError('request.invalid', 'A file name may not contain control characters');
  return name;
}

/** The file's media type: its declared one, or (declared generically) its extension's; 415 when not taken. */
export function uploadMediaType(declared: string, name: string): string {
  const essence = (declared.split(';')[0] ?? '').trim().toLowerCase();
  const mediaType = GENERIC_TYPES.has(essence) ? resolveMediaType(name) : resolveMediaType(essence);
  if (!UPLOAD_MEDIA_TYPES.includes(mediaType)) {
    throw new AgentOsError(
      'request.unsupported_media_type',
      `"${name}" is ${mediaType === 'application/octet-stream' ? 'of no known type' : mediaType}: ` +
        'a conversation takes PDF, DOCX, Markdown, plain text, CSV and HTML files',
      { mediaType, accepted: UPLOAD_MEDIA_TYPES },
    );
  }
  return mediaType;
}

async function readBody(request: Request, limit: number): Promise<Buffer> {
  try {
    return await readLimitedBody(request, limit);
  } catch (error) {
    if (isAgentOsError(error) && error.code === 'request.too_large') throw tooLarge(limit);
    throw error;
  }
}

async function multipartFiles(request: Request, contentType: string, limit: number): Promise<UploadedFile[]> {
  const raw = await readBody(request, limit + MULTIPART_OVERHEAD_BYTES);
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw new AgentOsError(
      'request.invalid',
      `The body is not valid multipart/form-data: ${(error as Error).message}`,
    );
  }
  const entries = form.getAll('file');
  if (entries.length === 0)
    throw new AgentOsError('request.invalid', 'A multipart upload carries its files in fields named `file`');
  if (entries.length > MAX_FILES_PER_UPLOAD)
    throw new AgentOsError('request.invalid', `At most ${MAX_FILES_PER_UPLOAD} files per upload`);
  const files: Array<{ name: string; declared: string; blob: Blob }> = [];
  for (const entry of entries) {
    if (typeof entry === 'string')
      throw new AgentOsError('request.invalid', 'A `file` field must be a file (with a file name), not text');
    files.push({ name: uploadName(entry.name), declared: entry.type, blob: entry });
  }
  // The boundaries' allowance must not let the files themselves pass the limit.
  if (files.reduce((total, file) => total + file.blob.size, 0) > limit) throw tooLarge(limit);
  const typed = files.map((file) => ({ ...file, mediaType: uploadMediaType(file.declared, file.name) }));
  return Promise.all(
    typed.map(async (file) => ({
      name: file.name,
      mediaType: file.mediaType,
      content: new Uint8Array(await file.blob.arrayBuffer()),
    })),
  );
}

/**
 * The files of an upload request, read within `limit` bytes (a declared Content-Length over it is refused
 * before a byte is read; a streamed body as soon as it passes it: 413 `request.too_large`): a
 * multipart/form-data body's `file` fields, or a raw body of its Content-Type named by `?name=`. Each file
 * must be of a kind the parsers read (415 `request.unsupported_media_type`); nothing is kept of a refused
 * upload. A raw body's type is checked before it is read.
 */
export async function readUploadedFiles(
  request: Request,
  options: { name: string | undefined; limit: number },
): Promise<UploadedFile[]> {
  const contentType = request.headers.get('content-type') ?? '';
  if (/^multipart\/form-data\s*;/i.test(contentType))
    return multipartFiles(request, contentType, options.limit);
  if (options.name === undefined)
    throw new AgentOsError(
      'request.invalid',
      'A raw upload names its file with `?name=` (or send multipart/form-data)',
    );
  const name = uploadName(options.name);
  const mediaType = uploadMediaType(contentType, name);
  const content = await readBody(request, options.limit);
  return [
    { name, mediaType, content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength) },
  ];
}
