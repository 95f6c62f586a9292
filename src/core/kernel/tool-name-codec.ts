/** What every provider accepts as a function name (OpenAI and Anthropic: letters, digits, `_`, `-`, ≤ 64). */
const WIRE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface ToolNameCodec {
  encode(name: string): string;
  decode(wireName: string): string;
}

function sanitize(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'tool' : cleaned;
}

/**
 * Our tool names may hold dots (`files.read_file` from an MCP server) that providers reject. Each call
 * gets a one-to-one mapping to wire names; names that are valid already go out unchanged.
 */
export function toolNameCodec(names: readonly string[]): ToolNameCodec {
  const toWire = new Map<string, string>();
  const fromWire = new Map<string, string>();
  const claim = (name: string): string => {
    const known = toWire.get(name);
    if (known !== undefined) return known;
    let wire = WIRE_NAME.test(name) && !fromWire.has(name) ? name : sanitize(name);
    for (let n = 2; fromWire.has(wire); n++) wire = `${sanitize(name).slice(0, 60)}_${n}`;
    toWire.set(name, wire);
    fromWire.set(wire, name);
    return wire;
  };
  // Valid names first, so they keep their own spelling.
  for (const name of names) if (WIRE_NAME.test(name)) claim(name);
  for (const name of names) claim(name);
  return { encode: claim, decode: (wireName) => fromWire.get(wireName) ?? wireName };
}
