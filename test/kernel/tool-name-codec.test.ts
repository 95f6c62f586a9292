import { describe, expect, it } from 'vitest';
import { toolNameCodec } from '../../src/core/kernel/tool-name-codec.ts';

describe('tool names on the wire', () => {
  it('keeps valid names and maps dotted ones one-to-one', () => {
    const codec = toolNameCodec(['add', 'files.read_file', 'files_read_file', 'a.b.c']);
    expect(codec.encode('add')).toBe('add');
    expect(codec.encode('files_read_file')).toBe('files_read_file');
    const dotted = codec.encode('files.read_file');
    expect(dotted).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(dotted).not.toBe('files_read_file');
    for (const name of ['add', 'files.read_file', 'files_read_file', 'a.b.c']) {
      expect(codec.decode(codec.encode(name))).toBe(name);
    }
  });

  it('shortens long names within 64 characters and leaves unknown wire names alone', () => {
    const long = `server.${'x'.repeat(80)}`;
    const codec = toolNameCodec([long]);
    expect(codec.encode(long).length).toBeLessThanOrEqual(64);
    expect(codec.decode(codec.encode(long))).toBe(long);
    expect(codec.decode('never_sent')).toBe('never_sent');
  });
});
