import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** LoCoMo (Maharana et al., ACL 2024, CC BY-NC 4.0), read at run time from the shared folder, never copied. */
export const LOCOMO_PATH = new URL('../../../shared/bench/locomo/locomo10.json', import.meta.url);

const turnSchema = z.object({
  speaker: z.string(),
  dia_id: z.string(),
  text: z.string(),
  blip_caption: z.string().optional(),
});

const qaSchema = z.object({
  question: z.string(),
  evidence: z.array(z.string()),
  category: z.number().int(),
});

const sampleSchema = z.object({
  sample_id: z.string(),
  conversation: z.record(z.string(), z.unknown()),
  qa: z.array(qaSchema),
});

export interface LocomoTurn {
  diaId: string;
  speaker: string;
  text: string;
  caption: string | undefined;
  session: number;
  dateTime: string;
  occurredAt: Date;
}

export interface LocomoQuestion {
  question: string;
  category: 1 | 2 | 3 | 4;
  /** Distinct gold dia_ids after the README's normalisation. */
  evidence: string[];
}

export interface LocomoConversation {
  index: number;
  sampleId: string;
  turns: LocomoTurn[];
  questions: LocomoQuestion[];
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "1:56 pm on 8 May, 2023" → the moment, read as UTC. */
export function parseSessionDate(value: string): Date {
  const match = /^(\d{1,2}):(\d{2}) (am|pm) on (\d{1,2}) ([A-Za-z]+), (\d{4})$/.exec(value.trim());
  const month = MONTHS.indexOf(match?.[5]?.toLowerCase() ?? '');
  if (match === null || month === -1) throw new Error(`Unexpected LoCoMo session date "${value}"`);
  const hour = (Number(match[1]) % 12) + (match[3] === 'pm' ? 12 : 0);
  return new Date(Date.UTC(Number(match[6]), month, Number(match[4]), hour, Number(match[2])));
}

/** README normalisation: split on `;`, `,` and whitespace, read `D[:]s:t`, drop leading zeros, keep existing ids once. */
export function normaliseEvidence(evidence: readonly string[], known: ReadonlySet<string>): string[] {
  const ids = new Set<string>();
  for (const piece of evidence.flatMap((entry) => entry.split(/[;,\s]+/))) {
    const match = /^D:?(\d+):(\d+)$/.exec(piece);
    if (match === null) continue;
    const id = `D${Number(match[1])}:${Number(match[2])}`;
    if (known.has(id)) ids.add(id);
  }
  return [...ids];
}

function turnsOf(conversation: Record<string, unknown>): LocomoTurn[] {
  const turns: LocomoTurn[] = [];
  // Sessions are numbered 1..N contiguously; conv-26 has dates without sessions past 19, which end the loop.
  for (let session = 1; Array.isArray(conversation[`session_${session}`]); session++) {
    const dateTime = z.string().parse(conversation[`session_${session}_date_time`]);
    const occurredAt = parseSessionDate(dateTime);
    for (const turn of z.array(turnSchema).parse(conversation[`session_${session}`])) {
      turns.push({
        diaId: turn.dia_id,
        speaker: turn.speaker,
        text: turn.text,
        caption: turn.blip_caption,
        session,
        dateTime,
        occurredAt,
      });
    }
  }
  return turns;
}

export function loadLocomo(path: URL | string = LOCOMO_PATH): LocomoConversation[] {
  const samples = z.array(sampleSchema).parse(JSON.parse(readFileSync(path, 'utf8')));
  return samples.map((sample, index) => {
    const turns = turnsOf(sample.conversation);
    const known = new Set(turns.map((turn) => turn.diaId));
    const questions: LocomoQuestion[] = [];
    for (const qa of sample.qa) {
      if (qa.category < 1 || qa.category > 4) continue;
      const evidence = normaliseEvidence(qa.evidence, known);
      if (evidence.length === 0) continue;
      questions.push({
        question: qa.question,
        category: qa.category as LocomoQuestion['category'],
        evidence,
      });
    }
    return { index, sampleId: sample.sample_id, turns, questions };
  });
}

export type Split = 'dev' | 'heldout' | 'all';

/** Conversations 0–4 are for tuning; 5–9 are held out and only ever reported. */
export function inSplit(conversation: LocomoConversation, split: Split): boolean {
  if (split === 'all') return true;
  return split === 'dev' ? conversation.index < 5 : conversation.index >= 5;
}
