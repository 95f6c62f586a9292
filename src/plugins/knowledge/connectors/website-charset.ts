/**
 * Text pages re-encoded as UTF-8, the one encoding the parsers read: the charset comes from the
 * Content-Type header, else (HTML) from a `<meta charset>` or `<meta http-equiv>` in the first 1024 bytes.
 * An unknown label leaves the bytes as they are.
 */
const isTextual = (mediaType: string): boolean =>
  mediaType.startsWith('text/') || /\+xml$|\/xml$|\/json$|xhtml/.test(mediaType);

/** The `charset` parameter of a Content-Type header value, lower-case. */
export function charsetOf(contentType: string | null): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

function declaredInHtml(body: Uint8Array): string | undefined {
  const head = Buffer.from(body.subarray(0, 1024)).toString('latin1');
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head);
  return match?.[1]?.toLowerCase();
}

/** windows-1252's 0x80–0x9F (WHATWG also reads latin1 and ascii labels as windows-1252). */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** Node 20's TextDecoder decodes windows-1252 as ISO-8859-1 (0x80–0x9F as C1 controls): done here instead. */
function decodeWindows1252(body: Uint8Array): string {
  let text = '';
  for (const byte of body) {
    text += byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  }
  return text;
}

export function toUtf8(body: Uint8Array, mediaType: string, headerCharset: string | undefined): Uint8Array {
  if (!isTextual(mediaType)) return body;
  const html = mediaType === 'text/html' || mediaType === 'application/xhtml+xml';
  const label = headerCharset ?? (html ? declaredInHtml(body) : undefined);
  if (label === undefined) return body;
  let decoded: { encoding: string; text: string };
  try {
    const decoder = new TextDecoder(label);
    const { encoding } = decoder;
    const text =
      encoding === 'utf-8'
        ? ''
        : encoding === 'windows-1252'
          ? decodeWindows1252(body)
          : decoder.decode(body);
    decoded = { encoding, text };
  } catch {
    return body;
  }
  return decoded.encoding === 'utf-8' ? body : new Uint8Array(Buffer.from(decoded.text, 'utf8'));
}
