import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { artefactIdFor, getArtefact, saveArtefact } from '../../core/tools/artefacts.ts';
import { defineTool, type ToolDefinition } from '../../core/tools/tool.ts';
import { DEFAULT_SANDBOX_LIMITS, runInSandbox, type SandboxLimits } from './code-sandbox.ts';

const MAX_INPUT_BYTES = 1024 * 1024;
const MAX_ARTEFACT_BYTES = 8 * 1024 * 1024;

const runCodeInput = z.strictObject({
  code: z
    .string()
    .min(1)
    .max(100_000)
    .describe(
      'JavaScript (ES2023). The value of the last expression is the result. Globals: input, artefacts[id], ' +
        'console.log, chart.bar(name, {title, labels, values}), chart.line(name, {...}), chart.svg(name, svgText). ' +
        'No network, no modules, no files.',
    ),
  input: z
    .unknown()
    .optional()
    .refine((value) => value === undefined || JSON.stringify(value).length <= MAX_INPUT_BYTES, {
      message: `input is at most ${MAX_INPUT_BYTES} bytes of JSON`,
    })
    .describe('JSON data the code reads as `input`'),
  artefacts: z
    .array(z.string().regex(/^art_[0-9a-f]{32}$/, 'an artefact id such as art_…'))
    .max(8)
    .optional()
    .describe("This run's artefacts (a large tool result) the code reads as artefacts[id]"),
});

/**
 * `run_code`: computation over data the run already holds, in a WebAssembly sandbox (QuickJS on a worker
 * thread) with a CPU-time and a memory limit and nothing to reach outside. Charts the code draws are kept as
 * SVG artefacts of the run and named in the result, so the console can show them. The code is the model's
 * and its data may be anyone's: the output is untrusted like any tool output. Re-running the call computes
 * the same thing and overwrites the same artefacts, so it is idempotent.
 */
export function runCodeTool(store: Store, limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS): ToolDefinition {
  return defineTool({
    name: 'run_code',
    description:
      'Runs JavaScript in a sandbox to compute over data (sums, statistics, reshaping) and draw charts. ' +
      `Limits: ${limits.cpuMs} ms CPU, ${Math.round(limits.memoryBytes / 1048576)} MiB memory; no network or files. ` +
      'Pass data as input, or a large tool result of this run by its artefact id.',
    inputSchema: runCodeInput,
    idempotent: true,
    effect: 'read',
    stakes: 'low',
    timeoutMs: limits.cpuMs + 15_000,
    async execute(input, context) {
      const files: Record<string, unknown> = {};
      let bytes = 0;
      for (const id of input.artefacts ?? []) {
        const artefact = await getArtefact(store, context.workspaceId, id);
        // The run's own files only: another run's artefact is not this run's to read.
        if (artefact.runId !== context.runId)
          throw new AgentOsError('resource.not_found', `No artefact "${id}" in this run`);
        bytes += artefact.bytes;
        if (bytes > MAX_ARTEFACT_BYTES)
          throw new AgentOsError(
            'request.too_large',
            `The artefacts passed are over ${MAX_ARTEFACT_BYTES} bytes`,
          );
        files[id] = artefact.content;
      }
      const result = await runInSandbox(
        input.code,
        { input: input.input ?? null, artefacts: files },
        limits,
        context.signal,
      );
      const charts = [];
      for (const [index, chart] of result.charts.entries()) {
        const id = artefactIdFor(`${context.idempotencyKey}:chart:${index}`);
        const json = JSON.stringify({
          kind: 'chart',
          mediaType: 'image/svg+xml',
          name: chart.name,
          svg: chart.svg,
        });
        await saveArtefact(store, {
          id,
          workspaceId: context.workspaceId,
          runId: context.runId,
          tool: 'run_code',
          json,
        });
        charts.push({
          name: chart.name,
          artefactId: id,
          mediaType: 'image/svg+xml',
          bytes: Buffer.byteLength(json),
        });
      }
      return { value: result.value, logs: result.logs, charts, cpuMs: result.cpuMs };
    },
  });
}
