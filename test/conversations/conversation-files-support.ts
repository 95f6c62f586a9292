import { request } from 'node:http';
import { UNTRUSTED_BEGIN, UNTRUSTED_END } from '../../src/core/kernel/messages.ts';
import type { RecordedRequest } from '../support/scripted-model-server.ts';

export interface StoredFile {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  documentId: string;
  status: 'ok' | 'failed';
  error?: { code: string; message: string };
  chunks: number;
  uploadedBy: string;
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

async function answerOf<T>(response: Response): Promise<Answer<T>> {
  const text = await response.text();
  return {
    status: response.status,
    body: (text.startsWith('{') ? JSON.parse(text) : text) as T,
    headers: response.headers,
  };
}

/** A multipart upload of `files` (each `file` field with its name and type), as a browser's FormData sends it. */
export async function uploadForm(
  url: string,
  key: string,
  conversationId: string,
  files: ReadonlyArray<{ name: string; type: string; content: Uint8Array | string }>,
): Promise<Answer<{ attachments: StoredFile[]; error?: { code: string } }>> {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([file.content], { type: file.type }), file.name);
  return answerOf(
    await fetch(`${url}/api/conversations/${conversationId}/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    }),
  );
}

/** One file as the raw body, typed by its Content-Type and named by `?name=`. */
export async function uploadRaw(
  url: string,
  key: string,
  conversationId: string,
  file: { name: string; type: string; content: Uint8Array | string },
): Promise<Answer<{ attachments: StoredFile[]; error?: { code: string } }>> {
  return answerOf(
    await fetch(`${url}/api/conversations/${conversationId}/files?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': file.type },
      body: file.content,
    }),
  );
}

export interface Streamed {
  status: number;
  code: string | undefined;
  /** Body bytes handed to the socket before the answer came. */
  written: number;
}

/**
 * Streams a multipart body of one text file of `total` bytes in 16 KB chunks (chunked transfer encoding
 * unless `contentLength` is declared, when it first waits up to 5 s for an answer to the headers), and stops
 * writing once an answer arrives.
 */
export async function streamUpload(
  url: string,
  key: string,
  path: string,
  options: { total: number; contentLength?: number },
): Promise<Streamed> {
  // The server answers 413, drains the rest for 500 ms (@hono/node-server) and closes; a client whose event
  // loop is slower than that (a loaded machine) sees the reset discard the answer it had not yet read.
  // That race is TCP's, not the server's: it is retried, twice at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await streamUploadOnce(url, key, path, options);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 3 || (code !== 'EPIPE' && code !== 'ECONNRESET')) throw error;
    }
  }
}

function streamUploadOnce(
  url: string,
  key: string,
  path: string,
  options: { total: number; contentLength?: number },
): Promise<Streamed> {
  const boundary = 'agentos-test-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n` +
      'Content-Type: text/plain\r\n\r\n',
  );
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(options.contentLength === undefined ? {} : { 'content-length': String(options.contentLength) }),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const code = text === '' ? undefined : (JSON.parse(text) as { error?: { code: string } }).error?.code;
        resolve({ status: res.statusCode ?? 0, code, written });
        req.destroy();
      });
    });
    // The server closing the connection mid-upload is expected; only a failure before any answer is one.
    // A write can fail (EPIPE, ECONNRESET) a moment before the refusal it raced with is read: give the
    // answer that moment before calling it a failure.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET')
        setTimeout(() => {
          if (!answered) reject(error);
        }, 2_000);
      else reject(error);
    });
    const pump = async () => {
      req.write(head);
      // A declared length over the limit is refused from the headers alone: wait for that answer before
      // sending the body, since data arriving at a socket the server already closed resets the connection
      // and can take the answer with it.
      if (options.contentLength !== undefined) {
        for (let waited = 0; !answered && !req.destroyed && waited < 5_000; waited += 10) {
          await new Promise((done) => setTimeout(done, 10));
        }
      }
      while (!answered && written < options.total && !req.destroyed) {
        const ok = req.write(chunk);
        written += chunk.length;
        if (!ok) await new Promise((done) => req.once('drain', done));
        await new Promise((done) => setTimeout(done, 2));
      }
      if (!answered && !req.destroyed) req.end(`\r\n--${boundary}--\r\n`);
    };
    void pump();
  });
}

export interface Citation {
  citationId: string;
  source: string;
  document: string;
  section: string;
  location: string;
  snippet: string;
  text: string;
}

/** The output of the `search_knowledge` call in a model request's tool message (fenced as untrusted). */
export function searchOutputIn(request: RecordedRequest | undefined): {
  results: Citation[];
  searched: string[];
} {
  const tool = request?.body.messages.filter((m) => m.role === 'tool').at(-1);
  const content = String(tool?.content ?? '');
  const begin = content.indexOf(UNTRUSTED_BEGIN);
  if (begin < 0) throw new Error(`no untrusted tool output in ${content.slice(0, 200)}`);
  return JSON.parse(content.slice(begin + UNTRUSTED_BEGIN.length, content.lastIndexOf(UNTRUSTED_END)));
}
