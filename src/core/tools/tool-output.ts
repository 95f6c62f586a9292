import { describeIssues } from '../errors/agent-os-error.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { artefactIdFor, saveArtefact } from './artefacts.ts';
import { DEFAULT_MAX_OUTPUT_BYTES, type ToolDefinition } from './tool.ts';

/** How much of a stored output the model sees inline. */
export const ARTEFACT_SUMMARY_CHARS = 1024;

export interface ArtefactHandle {
  artefactId: string;
  /** The first ~1 KB of the output's JSON. */
  summary: string;
  bytes: number;
}

export interface OutputPlace {
  store: SqlClient;
  workspaceId: string;
  runId: string;
  idempotencyKey: string;
}

export type FinishedOutput = { ok: true; output: unknown } | { ok: false; message: string };

/**
 * An executed tool's output as the model will see it: checked against the tool's output schema, and
 * replaced by an artefact handle when its JSON is larger than the tool's cap.
 */
export async function finishToolOutput(
  tool: ToolDefinition,
  output: unknown,
  place: OutputPlace,
): Promise<FinishedOutput> {
  if (tool.outputSchema !== undefined) {
    const checked = tool.outputSchema.safeParse(output);
    if (!checked.success) {
      return {
        ok: false,
        message: `Tool "${tool.name}" returned output that does not match its output schema: ${describeIssues(checked.error.issues)}`,
      };
    }
  }
  const json = JSON.stringify(output ?? null);
  const bytes = Buffer.byteLength(json);
  if (bytes <= (tool.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES)) return { ok: true, output };
  const artefactId = artefactIdFor(place.idempotencyKey);
  await saveArtefact(place.store, {
    id: artefactId,
    workspaceId: place.workspaceId,
    runId: place.runId,
    tool: tool.name,
    json,
  });
  const handle: ArtefactHandle = { artefactId, summary: json.slice(0, ARTEFACT_SUMMARY_CHARS), bytes };
  return { ok: true, output: handle };
}
