import './agent-pickers.css';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, call, typed } from '../api/client.ts';
import type { Agent, AgentDefinition, Space } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { ModelPicker } from './model-picker.tsx';
import { ToolPicker } from './tool-picker.tsx';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MODEL = /^[a-z][a-z0-9-]*:\S+$/;

interface FormValues {
  name: string;
  description: string;
  instructions: string;
  model: string;
  tools: string[];
  skills: string;
  space: string;
  maxSteps: string;
  maxTokens: string;
  maxCostUsd: string;
  timeoutSeconds: string;
  recall: string;
  extract: boolean;
}

const valuesOf = (d: AgentDefinition | undefined): FormValues => ({
  name: d?.name ?? '',
  description: d?.description ?? '',
  instructions: d?.instructions ?? '',
  model: d?.model ?? '',
  tools: d?.tools ?? [],
  skills: Array.isArray(d?.skills) ? (d.skills as string[]).join(', ') : '',
  space: d?.space ?? '',
  maxSteps: String(d?.limits.maxSteps ?? 20),
  maxTokens: d?.limits.maxTokens === undefined ? '' : String(d.limits.maxTokens),
  maxCostUsd: d?.limits.maxCostUsd === undefined ? '' : String(d.limits.maxCostUsd),
  timeoutSeconds: d?.limits.timeoutMs === undefined ? '' : String(d.limits.timeoutMs / 1_000),
  recall: String(d?.memory.recall ?? 5),
  extract: d?.memory.extract ?? false,
});

/** The same rules the server applies (agent-definition.ts), checked before sending so mistakes show at the field. */
export function validateAgentForm(v: FormValues): Partial<Record<keyof FormValues, string>> {
  const problems: Partial<Record<keyof FormValues, string>> = {};
  if (!NAME.test(v.name))
    problems.name = 'Lowercase letters, digits and dashes, starting with a letter (at most 63).';
  if (v.description.trim() === '') problems.description = 'Say in a sentence what the agent is for.';
  if (!MODEL.test(v.model)) problems.model = 'Write it as <provider>:<model>, e.g. openai:gpt-4o-mini.';
  const whole = (text: string, min: number, max: number) => {
    const n = Number(text);
    return Number.isInteger(n) && n >= min && n <= max;
  };
  if (!whole(v.maxSteps, 1, 1_000)) problems.maxSteps = 'A whole number from 1 to 1000.';
  if (v.maxTokens !== '' && !whole(v.maxTokens, 1, Number.MAX_SAFE_INTEGER))
    problems.maxTokens = 'A positive whole number.';
  if (v.maxCostUsd !== '' && !(Number(v.maxCostUsd) > 0))
    problems.maxCostUsd = 'A positive amount in US dollars.';
  if (v.timeoutSeconds !== '' && !(Number(v.timeoutSeconds) >= 1 && Number(v.timeoutSeconds) <= 604_800))
    problems.timeoutSeconds = 'From 1 second to 7 days.';
  if (!whole(v.recall, 0, 25)) problems.recall = 'A whole number from 0 to 25.';
  return problems;
}

const listOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');

function definitionOf(v: FormValues, hadSkills: boolean) {
  const skills = listOf(v.skills);
  return {
    name: v.name,
    description: v.description.trim(),
    instructions: v.instructions,
    model: v.model.trim(),
    tools: v.tools,
    // Sent when there are skills, or to clear the ones a saved version had.
    ...(skills.length > 0 || hadSkills ? { skills } : {}),
    ...(v.space === '' ? {} : { space: v.space }),
    limits: {
      maxSteps: Number(v.maxSteps),
      ...(v.maxTokens === '' ? {} : { maxTokens: Number(v.maxTokens) }),
      ...(v.maxCostUsd === '' ? {} : { maxCostUsd: Number(v.maxCostUsd) }),
      ...(v.timeoutSeconds === '' ? {} : { timeoutMs: Math.round(Number(v.timeoutSeconds) * 1_000) }),
    },
    memory: { recall: Number(v.recall), extract: v.extract },
  };
}

type Problems = Partial<Record<keyof FormValues, string>>;

/** The field a server refusal is about, so its message shows next to it (the codes of agent-references.ts). */
function fieldOf(error: unknown): keyof FormValues | undefined {
  if (!(error instanceof ApiError) || error.status >= 500) return undefined;
  if (error.code.startsWith('model.')) return 'model';
  if (error.code === 'tool.not_registered') return 'tools';
  if (error.code.startsWith('skill.')) return 'skills';
  return undefined;
}

function Field(props: {
  id: keyof FormValues;
  label: string;
  hint?: string;
  problem: string | undefined;
  children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
}) {
  const describedBy = [
    props.hint === undefined ? '' : `${props.id}-hint`,
    props.problem === undefined ? '' : `${props.id}-problem`,
  ]
    .filter((s) => s !== '')
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={`agent-${props.id}`}>{props.label}</label>
      {props.children(describedBy === '' ? undefined : describedBy, props.problem !== undefined)}
      {props.hint !== undefined && (
        <small id={`${props.id}-hint`} className="muted">
          {props.hint}
        </small>
      )}
      {props.problem !== undefined && (
        <small id={`${props.id}-problem`} className="field-problem">
          {props.problem}
        </small>
      )}
    </div>
  );
}

/** Create (POST /api/agents) or change (PATCH /api/agents/:name, a new version) an agent. */
export function AgentForm(props: { agent?: Agent; onSaved: (agent: Agent) => void }) {
  const spaces = useApi<{ spaces: Space[] }>('/api/spaces');
  const [values, setValues] = useState<FormValues>(() => valuesOf(props.agent?.definition));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [serverProblems, setServerProblems] = useState<Problems>({});
  const [errorField, setErrorField] = useState<keyof FormValues | undefined>();
  const problems: Problems = { ...(touched ? validateAgentForm(values) : {}), ...serverProblems };
  const editing = props.agent !== undefined;

  const set =
    <K extends keyof FormValues>(key: K) =>
    (value: FormValues[K]) => {
      setValues((v) => ({ ...v, [key]: value }));
      setServerProblems(({ [key]: _changed, ...rest }) => rest);
      // Changing the field the server refused makes its refusal stale.
      if (key === errorField) {
        setError(undefined);
        setErrorField(undefined);
      }
    };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(validateAgentForm(values)).length > 0) return;
    setBusy(true);
    setError(undefined);
    setServerProblems({});
    try {
      const definition = definitionOf(values, Array.isArray(props.agent?.definition.skills));
      const { agent } =
        props.agent !== undefined
          ? await call(
              typed.PATCH('/api/agents/{idOrName}', {
                params: { path: { idOrName: props.agent.name } },
                body: definition,
              }),
            )
          : await call(typed.POST('/api/agents', { body: definition }));
      props.onSaved(agent);
    } catch (caught) {
      const failure = caught instanceof Error ? caught : new Error(String(caught));
      const field = fieldOf(failure);
      if (field !== undefined) setServerProblems({ [field]: failure.message });
      setErrorField(field);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const text = (
    id: keyof FormValues,
    label: string,
    options: { hint?: string; type?: string; disabled?: boolean } = {},
  ) => (
    <Field
      id={id}
      label={label}
      problem={problems[id]}
      {...(options.hint === undefined ? {} : { hint: options.hint })}
    >
      {(describedBy, invalid) => (
        <input
          id={`agent-${id}`}
          type={options.type ?? 'text'}
          value={String(values[id])}
          disabled={options.disabled}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onChange={(event) => set(id)(event.target.value as never)}
        />
      )}
    </Field>
  );

  return (
    <form
      className="agent-form card"
      onSubmit={onSubmit}
      noValidate
      aria-label={editing ? 'Edit agent' : 'New agent'}
    >
      <fieldset>
        <legend>Role</legend>
        {text('name', 'Name', {
          hint: 'Used to run the agent: lowercase, digits, dashes.',
          disabled: editing,
        })}
        <Field
          id="description"
          label="Description"
          problem={problems.description}
          hint="What the agent is for; task routing reads it."
        >
          {(describedBy, invalid) => (
            <input
              id="agent-description"
              value={values.description}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => set('description')(event.target.value)}
            />
          )}
        </Field>
        <Field id="instructions" label="Instructions" problem={problems.instructions}>
          {(describedBy) => (
            <textarea
              id="agent-instructions"
              rows={6}
              value={values.instructions}
              aria-describedby={describedBy}
              onChange={(event) => set('instructions')(event.target.value)}
            />
          )}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Model, tools and space</legend>
        <Field
          id="model"
          label="Model"
          problem={problems.model}
          hint="The providers this server is configured with, and the models they serve."
        >
          {(describedBy, invalid) => (
            <ModelPicker
              value={values.model}
              onChange={set('model')}
              describedBy={describedBy}
              invalid={invalid}
            />
          )}
        </Field>
        <ToolPicker value={values.tools} onChange={set('tools')} problem={problems.tools} />
        {text('skills', 'Skills', { hint: 'Skill names (name or name@version) separated by commas.' })}
        <Field
          id="space"
          label="Space"
          problem={problems.space}
          hint="Who may run it and whose memory it shares."
        >
          {(describedBy) => (
            <select
              id="agent-space"
              value={values.space}
              aria-describedby={describedBy}
              onChange={(event) => set('space')(event.target.value)}
            >
              <option value="">None (workspace-wide)</option>
              {spaces.state === 'ready' &&
                spaces.data.spaces.map((space) => (
                  <option key={space.id} value={space.id}>
                    {space.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
        {spaces.state === 'error' && (
          <ErrorMessage error={spaces.error} context="Could not load spaces" onRetry={spaces.reload} />
        )}
      </fieldset>
      <fieldset>
        <legend>Limits and memory</legend>
        <div className="grid-fields">
          {text('maxSteps', 'Max steps', { type: 'number' })}
          {text('maxTokens', 'Max tokens', { type: 'number', hint: 'Empty: no limit' })}
          {text('maxCostUsd', 'Max cost (USD)', { type: 'number', hint: 'Empty: no limit' })}
          {text('timeoutSeconds', 'Timeout (seconds)', { type: 'number', hint: 'Empty: no limit' })}
          {text('recall', 'Memories recalled', { type: 'number' })}
        </div>
        <div className="field checkbox">
          <input
            id="agent-extract"
            type="checkbox"
            checked={values.extract}
            onChange={(event) => set('extract')(event.target.checked)}
          />
          <label htmlFor="agent-extract">Record conclusions as memories after a successful run</label>
        </div>
      </fieldset>
      {error !== undefined && <ErrorMessage error={error} context="The agent was not saved" />}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : editing ? 'Save new version' : 'Create agent'}
      </button>
    </form>
  );
}
