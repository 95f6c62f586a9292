import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { type CliClient, messageOf } from './api-client.ts';

/** One server-sent event as it came over the wire. */
export interface StreamEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Reads a run's events after event `after`, calling `onEvent` per event; resolves when the server ends the stream. */
export async function readRunEvents(
  client: CliClient,
  runId: string,
  after: string,
  onEvent: (event: StreamEvent) => void,
): Promise<void> {
  const { data, response } = await client.GET('/api/runs/{id}/events', {
    params: { path: { id: runId }, query: { after } },
    headers: { accept: 'text/event-stream' },
    parseAs: 'stream',
  });
  if (data === null || data === undefined) return;
  const reader = data.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventStreamParser(onEvent);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    parser.end();
  } catch (error) {
    throw new AgentOsError(
      'internal',
      `The event stream from ${new URL(response.url).origin} broke: ${messageOf(error)}`,
    );
  } finally {
    reader.releaseLock();
  }
}

/** Incremental text/event-stream parsing: `id:`, `event:`, `data:` fields; a blank line ends an event. */
class EventStreamParser {
  #buffer = '';
  #id: string | undefined;
  #event: string | undefined;
  #data: string[] = [];
  readonly #onEvent: (event: StreamEvent) => void;

  constructor(onEvent: (event: StreamEvent) => void) {
    this.#onEvent = onEvent;
  }

  push(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      if (end === -1) return;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) return;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(this.#buffer.startsWith('\r\n', end) ? end + 2 : end + 1);
      this.#line(line);
    }
  }

  end(): void {
    if (this.#buffer !== '') this.#line(this.#buffer);
    this.#buffer = '';
    this.#line('');
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0) {
        const event: StreamEvent = { data: this.#data.join('\n') };
        if (this.#id !== undefined) event.id = this.#id;
        if (this.#event !== undefined) event.event = this.#event;
        this.#onEvent(event);
      }
      this.#id = undefined;
      this.#event = undefined;
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'id') this.#id = value;
    else if (field === 'event') this.#event = value;
  }
}
