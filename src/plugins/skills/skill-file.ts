import { parseDocument, stringify } from 'yaml';
import { type SkillContent, skillContentSchema } from '../../core/agents/skill-definition.ts';
import { AgentOsError, describeIssues } from '../../core/errors/agent-os-error.ts';

/** Large enough for 100,000 characters of instructions in multi-byte text plus the front matter. */
export const MAX_SKILL_FILE_BYTES = 512 * 1024;

/** Keys other SKILL.md producers write that carry nothing Agent OS uses; accepted and dropped on import. */
const IGNORED_KEYS = new Set(['license', 'metadata']);

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

interface Issue {
  path: string;
  message: string;
}

function invalid(what: string, issues: Issue[]): AgentOsError {
  const line = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  return new AgentOsError('request.invalid', `Invalid ${what}: ${line.join('; ')}`, { issues });
}

function validContent(value: Record<string, unknown>, what: string, bodyKey: string): SkillContent {
  const result = skillContentSchema.safeParse(value);
  if (result.success) return result.data;
  throw invalid(
    what,
    result.error.issues.map((issue) => {
      const path = issue.path.map(String);
      // The instructions of a SKILL.md are its body, not a front-matter key: say so in the path.
      if (path[0] === 'instructions') path[0] = bodyKey;
      return {
        path: path.join('.'),
        message: issue.path.length === 0 ? describeIssues([issue]) : issue.message,
      };
    }),
  );
}

function parseFrontMatter(yamlText: string): Record<string, unknown> {
  const document = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw invalid(
      'SKILL.md front matter',
      document.errors.map((error) => ({ path: 'front matter', message: error.message.split('\n')[0] ?? '' })),
    );
  }
  const value: unknown = document.toJS({ maxAliasCount: 50 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('SKILL.md front matter', [
      { path: 'front matter', message: 'must be a mapping of keys (name, description, tools, knowledge)' },
    ]);
  }
  if ('instructions' in value) {
    throw invalid('SKILL.md front matter', [
      { path: 'instructions', message: 'the instructions are the body after the front matter, not a key' },
    ]);
  }
  return Object.fromEntries(Object.entries(value).filter(([key]) => !IGNORED_KEYS.has(key)));
}

/**
 * Reads a skill file: a `SKILL.md` (YAML front matter with name, description, tools and knowledge; the
 * Markdown body is the instructions) or, when the text starts with `{`, the same fields as a JSON object.
 * Every problem names its field (`tools.1`, `body`, `front matter`).
 */
export function parseSkillFile(text: string): SkillContent {
  if (Buffer.byteLength(text, 'utf8') > MAX_SKILL_FILE_BYTES) {
    throw invalid('skill file', [{ path: '', message: `larger than ${MAX_SKILL_FILE_BYTES} bytes` }]);
  }
  const source = text.replace(/^\uFEFF/, '');
  if (source.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw invalid('skill file', [{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid('skill file', [{ path: '', message: 'must be a JSON object' }]);
    }
    return validContent({ ...value }, 'skill file', 'instructions');
  }
  const match = FRONT_MATTER.exec(source);
  if (match === null) {
    throw invalid('SKILL.md', [
      {
        path: 'front matter',
        message:
          'missing: the file must start with a "---" line, the YAML front matter, and a closing "---" line',
      },
    ]);
  }
  const front = parseFrontMatter(match[1] ?? '');
  return validContent({ ...front, instructions: source.slice(match[0].length) }, 'SKILL.md', 'body');
}

/** The `SKILL.md` of a skill version; `parseSkillFile` reads it back to the same content. */
export function renderSkillFile(content: SkillContent): string {
  const front = stringify(
    {
      name: content.name,
      description: content.description,
      tools: content.tools,
      knowledge: content.knowledge,
    },
    { lineWidth: 0 },
  );
  return `---\n${front}---\n\n${content.instructions}\n`;
}
