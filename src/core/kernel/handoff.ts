import { z } from 'zod';

const entry = z.string().trim().min(1).max(2_000);
const entries = (what: string) => z.array(entry).max(50).default([]).describe(what);

/** What one agent tells another when it delegates: enough to continue without repeating work. */
export const handoffSchema = z.strictObject({
  goal: z.string().trim().min(1).max(2_000).describe('What the receiver should achieve, and why'),
  done: entries('What is already done (do not repeat it)'),
  decisions: entries('Decisions already taken, with their reasons'),
  openQuestions: entries('What is still unknown or undecided'),
  artefacts: z
    .array(
      z.strictObject({
        id: z.string().trim().min(1).max(200).optional().describe('A run, memory, file or record id'),
        name: z.string().trim().min(1).max(200),
        note: z.string().trim().max(2_000).optional(),
      }),
    )
    .max(50)
    .default([])
    .describe('Things produced or found that the receiver needs'),
});
export type Handoff = z.infer<typeof handoffSchema>;

const bullets = (title: string, items: readonly string[]): string[] =>
  items.length === 0 ? [] : [`${title}:`, ...items.map((item) => `- ${item}`)];

/** The sections of a handoff as lines; empty sections are left out. */
export function handoffLines(h: Handoff): string[] {
  const artefacts = h.artefacts.map((a) => {
    const id = a.id === undefined ? '' : ` (${a.id})`;
    const note = a.note === undefined || a.note === '' ? '' : `: ${a.note}`;
    return `${a.name}${id}${note}`;
  });
  return [
    `Goal: ${h.goal}`,
    ...bullets('Done', h.done),
    ...bullets('Decisions', h.decisions),
    ...bullets('Open questions', h.openQuestions),
    ...bullets('Artefacts', artefacts),
  ];
}

/** The handoff as the receiver's context shows it. */
export function renderHandoff(h: Handoff): string {
  return ['Handoff from the delegating agent:', ...handoffLines(h)].join('\n');
}
