import { describe, expect, it } from 'vitest';
import { charsetOf, toUtf8 } from '../../src/plugins/knowledge/connectors/website-charset.ts';

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('pages re-encoded as UTF-8', () => {
  it('uses the header charset, else an HTML meta charset, and leaves UTF-8 and binaries alone', () => {
    const latin1 = Buffer.from('Café crème', 'latin1');
    expect(charsetOf('text/plain; charset="ISO-8859-1"')).toBe('iso-8859-1');
    expect(utf8(toUtf8(latin1, 'text/plain', 'iso-8859-1'))).toBe('Café crème');

    const windows1252 = Buffer.concat([
      Buffer.from('<meta charset=windows-1252><p>'),
      Buffer.from([0x80, 0x96]),
    ]);
    expect(utf8(toUtf8(windows1252, 'text/html', undefined))).toBe('<meta charset=windows-1252><p>€–');

    const alreadyUtf8 = Buffer.from('Grüße', 'utf8');
    expect(toUtf8(alreadyUtf8, 'text/html', 'utf-8')).toBe(alreadyUtf8);
    expect(toUtf8(latin1, 'application/pdf', 'iso-8859-1')).toBe(latin1);
    expect(toUtf8(latin1, 'text/plain', 'no-such-charset')).toBe(latin1);
    expect(toUtf8(latin1, 'text/plain', undefined)).toBe(latin1);
  });
});
