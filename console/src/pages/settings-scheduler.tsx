import type { ApiSchemas } from '../../../src/surfaces/client/agent-os-client.ts';
import { useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { formatDate, formatMs } from '../components/format.ts';

type SchedulerStatus = ApiSchemas['SchedulerStatus'];
type Lane = SchedulerStatus['members'][number]['lanes'][number];

const limit = (value: number | null, unit: string) => `${value ?? 'unlimited'} ${unit}`;

/** One lane's limits and what it is doing, as a table row. */
function LaneRow({ lane }: { lane: Lane }) {
  const queued = lane.queued.interactive + lane.queued.standard + lane.queued.background;
  return (
    <tr>
      <th scope="row">
        <code>{lane.lane}</code>
      </th>
      <td>
        {lane.limits.concurrency} at once, {limit(lane.limits.rpm, 'requests/min')},{' '}
        {limit(lane.limits.tpm, 'tokens/min')}
      </td>
      <td>{lane.inFlight}</td>
      <td
        title={`interactive ${lane.queued.interactive}, standard ${lane.queued.standard}, background ${lane.queued.background}`}
      >
        {queued}
      </td>
      <td>
        {lane.dispatched} sent, {lane.retried} retried, {lane.rateLimited} rate-limited, {lane.failed} failed
      </td>
      <td>
        {formatMs(Math.round(lane.avgWaitMs))} avg, {formatMs(Math.round(lane.maxWaitMs))} max
      </td>
      <td>{lane.pausedForMs > 0 ? `paused ${formatMs(lane.pausedForMs)}` : 'open'}</td>
    </tr>
  );
}

/** The LLM scheduler of each live worker process: its runs, lanes, limits, queues and waits, read as text. */
export function SchedulerSettings() {
  const scheduler = useApi<SchedulerStatus>('/api/scheduler');
  return (
    <section className="card" aria-labelledby="scheduler-title">
      <h2 id="scheduler-title">Scheduler</h2>
      <AsyncView result={scheduler} label="the scheduler" onRetry={scheduler.reload}>
        {(state) => (
          <>
            <dl className="facts" aria-label="Runs">
              <dt>Queued runs</dt>
              <dd>{state.runs.queued}</dd>
              <dt>Running</dt>
              <dd>{state.runs.running}</dd>
              <dt>Paused</dt>
              <dd>{state.runs.paused}</dd>
              <dt>Read at</dt>
              <dd>{formatDate(state.at)}</dd>
            </dl>
            {state.members.length === 0 ? (
              <p className="muted">No worker process has reported yet.</p>
            ) : (
              state.members.map((member) => (
                <div className="table-wrap" key={member.memberId}>
                  <table>
                    <caption>
                      Worker <code>{member.memberId}</code>, last heard {formatDate(member.heartbeatAt)}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Lane</th>
                        <th scope="col">Limits</th>
                        <th scope="col">In flight</th>
                        <th scope="col">Queued</th>
                        <th scope="col">Calls</th>
                        <th scope="col">Wait</th>
                        <th scope="col">State</th>
                      </tr>
                    </thead>
                    <tbody>
                      {member.lanes.length === 0 ? (
                        <tr>
                          <td colSpan={7}>No model call yet.</td>
                        </tr>
                      ) : (
                        member.lanes.map((lane) => <LaneRow key={lane.lane} lane={lane} />)
                      )}
                    </tbody>
                  </table>
                </div>
              ))
            )}
          </>
        )}
      </AsyncView>
    </section>
  );
}
