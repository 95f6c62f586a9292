import { type KeyboardEvent, useId, useRef, useState } from 'react';
import type { Agent } from '../../api/types.ts';
import { completeMention, mentionAtCaret } from './mentions.ts';

/**
 * The message box, a combobox: typing `@` and part of a name lists the agents the user may use; arrows
 * move, Enter or Tab picks, Escape closes. Enter without a list open sends, Shift+Enter is a new line.
 */
export function MentionInput(props: {
  id: string;
  value: string;
  agents: readonly Agent[];
  onChange: (value: string) => void;
  onSubmit: () => void;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [closedAt, setClosedAt] = useState<number | undefined>();
  const listId = useId();
  const mention = mentionAtCaret(props.value, caret);
  const matches =
    mention === undefined || closedAt === mention.start
      ? []
      : props.agents.filter((agent) => agent.name.startsWith(mention.query.toLowerCase())).slice(0, 8);
  const open = matches.length > 0;
  const highlighted = matches[Math.min(active, matches.length - 1)];

  const pick = (name: string) => {
    if (mention === undefined) return;
    const next = completeMention(props.value, mention.start, caret, name);
    props.onChange(next.text);
    setCaret(next.caret);
    setActive(0);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(next.caret, next.caret);
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open && highlighted !== undefined) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : matches.length - 1;
        setActive((index) => (index + step) % matches.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        pick(highlighted.name);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setClosedAt(mention?.start);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      props.onSubmit();
    }
  };
  const track = () => setCaret(ref.current?.selectionStart ?? props.value.length);

  return (
    <div className="mention-input">
      <textarea
        ref={ref}
        id={props.id}
        rows={3}
        value={props.value}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={
          open && highlighted !== undefined ? `${listId}-${highlighted.name}` : undefined
        }
        onChange={(event) => {
          props.onChange(event.target.value);
          setCaret(event.target.selectionStart);
          setClosedAt(undefined);
        }}
        onKeyDown={onKeyDown}
        onKeyUp={track}
        onClick={track}
        placeholder="Message the agents — @name asks one (Enter sends, Shift+Enter for a new line)"
      />
      <div id={listId} role="listbox" aria-label="Agents to mention" className="mention-list" hidden={!open}>
        {matches.map((agent) => (
          <div
            key={agent.id}
            tabIndex={-1}
            id={`${listId}-${agent.name}`}
            role="option"
            aria-selected={agent === highlighted}
            onMouseDown={(event) => {
              event.preventDefault();
              pick(agent.name);
            }}
          >
            <strong>@{agent.name}</strong>
            {agent.definition.description !== '' && (
              <span className="muted"> — {agent.definition.description}</span>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}
