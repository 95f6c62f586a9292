import { z } from 'zod';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { ToolDefinition } from './tool.ts';
import { joinCatalogue, type OfferedTools, type ToolCatalogue } from './tool-catalogue.ts';
import { isValidToolName, mcpServerOfToolName, TOOL_NAME_RULE } from './tool-name.ts';

/**
 * Tools that exist only for some workspaces and only while something answers for them (MCP servers).
 * `resolve` returns the ones among `names` it can offer `workspaceId` now; it never throws.
 */
export interface ToolSource {
  resolve(workspaceId: string, names: readonly string[]): Promise<ToolDefinition[]>;
  /**
   * What it offers `workspaceId` now, for builders' pickers and the check at save; only under these name
   * prefixes (`<prefix>__<tool>`) when given. Never throws.
   */
  offered(workspaceId: string, prefixes?: readonly string[]): Promise<OfferedTools>;
}

/** The tools a process can run, by name. Agents name the subset they are granted. */
export class ToolRegistry {
  readonly #tools = new Map<string, ToolDefinition>();
  readonly #jsonSchemas = new Map<string, Record<string, unknown>>();
  readonly #sources: ToolSource[] = [];

  constructor(tools: readonly ToolDefinition[] = []) {
    for (const tool of tools) this.register(tool);
  }

  register(tool: ToolDefinition): this {
    if (!isValidToolName(tool.name)) {
      throw new AgentOsError('request.invalid', `Tool name "${tool.name}": ${TOOL_NAME_RULE}`);
    }
    if (this.#tools.has(tool.name))
      throw new AgentOsError('resource.conflict', `Tool "${tool.name}" is already registered`);
    this.#tools.set(tool.name, tool);
    this.#jsonSchemas.set(
      tool.name,
      tool.inputJsonSchema ?? (z.toJSONSchema(tool.inputSchema, { io: 'input' }) as Record<string, unknown>),
    );
    return this;
  }

  /** Adds a source of per-workspace tools, consulted by `forRun` for names not registered here; returns its removal. */
  addSource(source: ToolSource): () => void {
    this.#sources.push(source);
    return () => {
      const index = this.#sources.indexOf(source);
      if (index !== -1) this.#sources.splice(index, 1);
    };
  }

  /** The tools one run sees: these plus what the sources offer its workspace among the granted names. */
  async forRun(workspaceId: string, granted: readonly string[]): Promise<ToolRegistry> {
    const wanted = granted.filter((name) => !this.#tools.has(name));
    if (wanted.length === 0 || this.#sources.length === 0) return this;
    const view = new ToolRegistry();
    for (const [name, tool] of this.#tools) {
      view.#tools.set(name, tool);
      const schema = this.#jsonSchemas.get(name);
      if (schema !== undefined) view.#jsonSchemas.set(name, schema);
    }
    for (const source of this.#sources) {
      const offered = await source.resolve(workspaceId, wanted).catch(() => []);
      for (const tool of offered) if (wanted.includes(tool.name) && !view.has(tool.name)) view.register(tool);
    }
    return view;
  }

  /**
   * What an agent of `workspaceId` could be granted: these tools plus every source's offer. With `names`
   * (the check at save), sources are asked only about the prefixes of names not registered here.
   */
  async catalogue(workspaceId: string, names?: readonly string[]): Promise<ToolCatalogue> {
    let prefixes: string[] | undefined;
    if (names !== undefined) {
      const others = names.filter((name) => !this.#tools.has(name));
      prefixes = [...new Set(others.flatMap((name) => mcpServerOfToolName(name) ?? []))];
      if (prefixes.length === 0) return joinCatalogue(this.list(), []);
    }
    const offers = await Promise.all(
      this.#sources.map((source) =>
        source.offered(workspaceId, prefixes).catch((): OfferedTools => ({ tools: [], unlisted: [] })),
      ),
    );
    return joinCatalogue(this.list(), offers);
  }

  get(name: string): ToolDefinition | undefined {
    return this.#tools.get(name);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  list(): ToolDefinition[] {
    return [...this.#tools.values()];
  }

  /** The JSON Schema sent to the model for this tool's arguments. */
  jsonSchema(name: string): Record<string, unknown> {
    const schema = this.#jsonSchemas.get(name);
    if (schema === undefined) throw new AgentOsError('tool.unknown', `No tool "${name}"`);
    return schema;
  }
}
