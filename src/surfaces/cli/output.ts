import { AgentOsError } from '../../core/errors/agent-os-error.ts';

export interface OutputOptions {
  json?: boolean;
}

/** Prints a command's result: JSON when asked, human text otherwise. */
export function emit(options: OutputOptions, data: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
}

export function table(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (value: unknown): string =>
    value === null || value === undefined ? '-' : value instanceof Date ? value.toISOString() : String(value);
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line([...columns]), ...rows.map((row) => line(columns.map((column) => cell(row[column]))))].join(
    '\n',
  );
}

/** A usage mistake: exit code 2, like commander's own. */
export class UsageError extends Error {}

/** A run that ended without an answer, with the code and message its record holds: exit code 1 whatever the code. */
export class RunEndedError extends AgentOsError {}

export function reportError(error: unknown, json: boolean): number {
  if (error instanceof UsageError) {
    process.stderr.write(
      json
        ? `${JSON.stringify({ error: { code: 'usage', message: error.message } })}\n`
        : `error: ${error.message}\n`,
    );
    return 2;
  }
  const agentError =
    error instanceof AgentOsError
      ? error
      : new AgentOsError('internal', error instanceof Error ? error.message : String(error));
  process.stderr.write(
    json
      ? `${JSON.stringify({ error: agentError.toJSON() })}\n`
      : `error [${agentError.code}]: ${agentError.message}\n`,
  );
  return agentError.code === 'request.invalid' && !(agentError instanceof RunEndedError) ? 2 : 1;
}
