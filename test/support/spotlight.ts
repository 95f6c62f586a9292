import { UNTRUSTED_BEGIN, UNTRUSTED_END } from '../../src/core/kernel/messages.ts';

/** The tool output inside a spotlighted (untrusted) tool message, or the message as is. */
export function unspotlight(content: string): string {
  const begin = content.indexOf(UNTRUSTED_BEGIN);
  if (begin === -1) return content;
  return content.slice(begin + UNTRUSTED_BEGIN.length + 1, content.lastIndexOf(UNTRUSTED_END) - 1);
}
