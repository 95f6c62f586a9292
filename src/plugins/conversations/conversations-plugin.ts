import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { CONVERSATION_STEP_KINDS, conversationContext } from './conversation-context-hook.ts';

/** A conversation run's history as short-term memory (its summary call is a step kind of its own). */
export const conversationsPlugin: KernelPlugin = {
  name: 'conversations',
  context: conversationContext,
  stepKinds: CONVERSATION_STEP_KINDS,
};
