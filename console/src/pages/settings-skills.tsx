import { type FormEvent, useId, useState } from 'react';
import { del, post } from '../api/client.ts';
import { isNotAvailable, useApi } from '../api/use-api.ts';
import { useSave } from '../api/use-save.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { SpaceSelect } from './settings-sources.tsx';

interface Skill {
  id: string;
  name: string;
  description: string;
  version: number;
  spaceId: string | null;
  shared: boolean;
  tools: string[];
}

const SKILL_EXAMPLE = `---
name: invoice-triage
description: Sorts incoming invoices and flags the unusual ones
tools: [lookup]
---
Read each invoice, compare it with the supplier's history, and flag amounts over 10,000.`;

function SkillExport(props: { skill: Skill }) {
  const file = useApi<{ fileName: string; content: string }>(
    `/api/skills/${encodeURIComponent(props.skill.name)}/export`,
  );
  return (
    <AsyncView result={file} label={`the SKILL.md of ${props.skill.name}`} onRetry={file.reload}>
      {({ fileName, content }) => (
        <figure className="skill-export">
          <figcaption>
            <code>{fileName}</code>
          </figcaption>
          <pre>{content}</pre>
        </figure>
      )}
    </AsyncView>
  );
}

function SkillItem(props: { skill: Skill; onChanged: () => void }) {
  const { skill } = props;
  const [open, setOpen] = useState(false);
  const remove = useSave();
  return (
    <li>
      <strong>{skill.name}</strong> <span className="muted">v{skill.version}</span> · {skill.description}
      {skill.spaceId === null ? (
        <span className="muted"> · workspace</span>
      ) : (
        <span className="muted"> · space{skill.shared ? ', shared' : ''}</span>
      )}{' '}
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        Export<span className="sr-only"> {skill.name}</span>
      </button>{' '}
      <button
        type="button"
        className="link danger"
        disabled={remove.busy}
        onClick={() =>
          void remove.save(() => del(`/api/skills/${encodeURIComponent(skill.name)}`), props.onChanged)
        }
      >
        Delete<span className="sr-only"> {skill.name}</span>
      </button>
      {remove.error !== undefined && <ErrorMessage error={remove.error} context="Not deleted" />}
      {open && <SkillExport skill={skill} />}
    </li>
  );
}

function ImportSkillForm(props: { onImported: () => void }) {
  const base = useId();
  const [file, setFile] = useState('');
  const [space, setSpace] = useState('');
  const [shared, setShared] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [imported, setImported] = useState<string | undefined>();
  const action = useSave();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setImported(undefined);
    if (file.trim() === '') {
      setProblem('Paste the SKILL.md file: front matter with name and description, then the instructions.');
      return;
    }
    setProblem(undefined);
    void action.save(async () => {
      const answer = await post<{ skill: Skill }>('/api/skills/import', {
        file,
        ...(space === '' ? {} : { space }),
        ...(shared ? { shared: true } : {}),
      });
      setImported(answer.skill.name);
      setFile('');
    }, props.onImported);
  };
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Import a SKILL.md">
      <fieldset>
        <legend>Import SKILL.md</legend>
        <div className="field">
          <label htmlFor={`${base}-file`}>SKILL.md file</label>
          <textarea
            id={`${base}-file`}
            rows={8}
            className="code"
            value={file}
            placeholder={SKILL_EXAMPLE}
            aria-invalid={problem !== undefined}
            aria-describedby={problem === undefined ? undefined : `${base}-problem`}
            onChange={(event) => setFile(event.target.value)}
          />
          {problem !== undefined && (
            <small id={`${base}-problem`} className="field-problem">
              {problem}
            </small>
          )}
        </div>
        <div className="inline-forms">
          <label htmlFor={`${base}-space`}>Space (optional)</label>
          <SpaceSelect id={`${base}-space`} value={space} onChange={setSpace} />
          <span className="field checkbox">
            <input
              id={`${base}-shared`}
              type="checkbox"
              checked={shared}
              onChange={(event) => setShared(event.target.checked)}
            />
            <label htmlFor={`${base}-shared`}>Shared with the whole workspace</label>
          </span>
        </div>
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Importing…' : 'Import skill'}
        </button>
        {imported !== undefined && <span role="status"> Imported {imported}.</span>}
      </fieldset>
      {action.error !== undefined && (
        <ErrorMessage error={action.error} context="The skill was not imported" />
      )}
    </form>
  );
}

export function Skills() {
  const skills = useApi<{ skills: Skill[] }>('/api/skills');
  return (
    <section className="card" aria-labelledby="skills-title">
      <h2 id="skills-title">Skills</h2>
      {skills.state === 'error' && isNotAvailable(skills.error) ? (
        <p className="muted">Not available on this server.</p>
      ) : (
        <>
          <AsyncView result={skills} label="skills" onRetry={skills.reload}>
            {({ skills: list }) =>
              list.length === 0 ? (
                <p>None yet.</p>
              ) : (
                <ul aria-label="Skills">
                  {list.map((skill) => (
                    <SkillItem key={skill.id} skill={skill} onChanged={skills.reload} />
                  ))}
                </ul>
              )
            }
          </AsyncView>
          <ImportSkillForm onImported={skills.reload} />
        </>
      )}
    </section>
  );
}
