import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { runCodeTool } from './run-code-tool.ts';

/** Computation as a tool: `run_code` in a WebAssembly sandbox. */
export const computePlugin: KernelPlugin = {
  name: 'compute',
  tools: ({ store }) => [runCodeTool(store)],
};
