import { useApi } from '../api/use-api.ts';
import { parseMaybeJson } from './json-view.tsx';

interface ChartRef {
  name: string;
  artefactId: string;
}

/** The charts a tool result names (`run_code`'s `charts: [{name, artefactId, mediaType}]`), if any. */
export function chartsOf(raw: unknown): ChartRef[] {
  const output = parseMaybeJson(raw);
  if (typeof output !== 'object' || output === null) return [];
  const charts = (output as { charts?: unknown }).charts;
  if (!Array.isArray(charts)) return [];
  return charts.filter(
    (c): c is ChartRef =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as ChartRef).name === 'string' &&
      typeof (c as ChartRef).artefactId === 'string' &&
      (c as { mediaType?: unknown }).mediaType === 'image/svg+xml',
  );
}

function Chart(props: { chart: ChartRef }) {
  const artefact = useApi<{ artefact: { content: { kind?: string; svg?: unknown } } }>(
    `/api/artefacts/${encodeURIComponent(props.chart.artefactId)}`,
  );
  if (artefact.state === 'loading') return <p className="muted">Loading the chart “{props.chart.name}”…</p>;
  if (artefact.state === 'error')
    return (
      <p className="error">
        The chart “{props.chart.name}” could not be loaded: {artefact.error.message}
      </p>
    );
  const svg = artefact.data.artefact.content.svg;
  if (typeof svg !== 'string')
    return <p className="error">The artefact of “{props.chart.name}” holds no SVG.</p>;
  // An <img> of the SVG: the code that drew it is the model's, and scripts in an image never run.
  return (
    <figure className="chart">
      <img alt={props.chart.name} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} />
      <figcaption>{props.chart.name}</figcaption>
    </figure>
  );
}

/** The charts of a tool call's result, drawn. */
export function ChartArtefacts(props: { output: unknown }) {
  const charts = chartsOf(props.output);
  if (charts.length === 0) return null;
  return (
    <div className="charts">
      {charts.map((chart) => (
        <Chart key={chart.artefactId} chart={chart} />
      ))}
    </div>
  );
}
