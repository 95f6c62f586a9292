import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Agent, Run } from '../api/types.ts';
import { isNotAvailable, useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { formatDate, formatMs, formatUsd, shortId } from '../components/format.ts';
import { type DayRow, usageSeries } from './usage-series.ts';

const COLOURS = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

function PerDayChart(props: { title: string; data: DayRow[]; agents: string[]; unit: string }) {
  return (
    <figure className="chart card">
      <figcaption>{props.title}</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={props.data} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis unit={props.unit} />
          <Tooltip />
          <Legend />
          {props.agents.map((agent, index) => (
            <Bar
              key={agent}
              dataKey={agent}
              stackId="a"
              fill={COLOURS[index % COLOURS.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

interface UsageReport {
  scope: 'workspace' | 'user';
  from: string;
  to: string;
  rows: Array<{
    key: string | null;
    label: string | null;
    runs: number;
    totalTokens: number;
    costUsd: number;
    modelCalls: number;
    toolCalls: number;
    avgLatencyMs: number | null;
  }>;
  total: { runs: number; totalTokens: number; costUsd: number; avgLatencyMs: number | null };
}

/** A mean active time in seconds (time paused for a person left out), or a dash when no run ended. */
const latency = (ms: number | null) => (ms === null ? '—' : formatMs(ms));

/** The report's mean active time per agent, as a chart. */
function LatencyChart({ report }: { report: UsageReport }) {
  const data = report.rows
    .filter((row) => row.avgLatencyMs !== null)
    .map((row) => ({ agent: row.label ?? row.key ?? '—', seconds: (row.avgLatencyMs ?? 0) / 1_000 }));
  if (data.length === 0) return null;
  return (
    <figure className="chart card">
      <figcaption>
        Average latency per agent this month (seconds active; waits for a person excluded)
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="agent" />
          <YAxis unit="s" />
          <Tooltip />
          <Bar dataKey="seconds" name="seconds" fill={COLOURS[0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The server's own report for this month (`GET /api/usage`): every run counted, not only the latest 500. */
function MonthReport() {
  const report = useApi<UsageReport>('/api/usage?groupBy=agent');
  if (report.state === 'error' && isNotAvailable(report.error)) return null;
  return (
    <section className="card" aria-labelledby="month-title">
      <h2 id="month-title">This month</h2>
      <AsyncView result={report} label="the usage report" onRetry={report.reload}>
        {(data) => (
          <>
            <div className="table-wrap">
              <table>
                <caption className="muted">
                  {data.scope === 'workspace' ? 'The whole workspace' : 'Your runs'}, {formatDate(data.from)}{' '}
                  – {formatDate(data.to)}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col">Runs</th>
                    <th scope="col">Tokens</th>
                    <th scope="col">Model calls</th>
                    <th scope="col">Tool calls</th>
                    <th scope="col">Cost</th>
                    <th scope="col">Avg latency</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rows.map((row) => (
                    <tr key={row.key ?? 'none'}>
                      <td>{row.label ?? row.key ?? '—'}</td>
                      <td>{row.runs}</td>
                      <td>{row.totalTokens}</td>
                      <td>{row.modelCalls}</td>
                      <td>{row.toolCalls}</td>
                      <td>{formatUsd(row.costUsd)}</td>
                      <td>{latency(row.avgLatencyMs)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total</th>
                    <td>{data.total.runs}</td>
                    <td>{data.total.totalTokens}</td>
                    <td />
                    <td />
                    <td>{formatUsd(data.total.costUsd)}</td>
                    <td>{latency(data.total.avgLatencyMs)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
            <LatencyChart report={data} />
          </>
        )}
      </AsyncView>
    </section>
  );
}

/** Usage per agent and per day from the run list (the last 500 runs), and the server's report for the month. */
export function UsagePage() {
  const runs = useApi<{ runs: Run[] }>('/api/runs?limit=500');
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  const name = (id: string) =>
    agents.state === 'ready'
      ? (agents.data.agents.find((a) => a.id === id)?.name ?? shortId(id))
      : shortId(id);
  return (
    <section className="page" aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <MonthReport />
      <h2>Per agent and day</h2>
      <p className="muted">Charts computed from the latest 500 runs.</p>
      <AsyncView result={runs} label="runs" onRetry={runs.reload}>
        {({ runs: list }) => {
          if (list.length === 0) return <p>No runs yet.</p>;
          const series = usageSeries(list, name);
          return (
            <>
              <div className="charts">
                <PerDayChart
                  title="Tokens per day, by agent"
                  data={series.tokensByDay}
                  agents={series.agentNames}
                  unit=""
                />
                <PerDayChart
                  title="Cost per day (USD), by agent"
                  data={series.costByDay}
                  agents={series.agentNames}
                  unit="$"
                />
              </div>
              <div className="table-wrap">
                <table>
                  <caption>Totals per agent</caption>
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      <th scope="col">Runs</th>
                      <th scope="col">Tokens</th>
                      <th scope="col">Cost</th>
                    </tr>
                  </thead>
                  <tbody>
                    {series.perAgent.map((row) => (
                      <tr key={row.agent}>
                        <td>{row.agent}</td>
                        <td>{row.runs}</td>
                        <td>{row.tokens}</td>
                        <td>{formatUsd(row.costUsd)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
