/**
 * What `run_code` gives the code, defined inside the sandbox before it runs: `input` and `artefacts` (the
 * JSON the call passed in), `console.log` (kept, capped), and `chart` — `chart.bar` and `chart.line` draw an
 * SVG from labels and values, `chart.svg` keeps one the code drew itself. `__collect` hands back what was
 * logged and drawn. Source text, because it runs in QuickJS, not in Node.
 */
export const MAX_LOG_CHARS = 16_000;
export const MAX_CHARTS = 8;
export const MAX_CHART_CHARS = 512 * 1024;

export const SANDBOX_PRELUDE = `
'use strict';
(() => {
  const g = JSON.parse(globalThis.__globals);
  delete globalThis.__globals;
  globalThis.input = g.input;
  globalThis.artefacts = g.artefacts;
  const logs = [];
  let logChars = 0;
  const show = (v) => typeof v === 'string' ? v : (() => { try { return JSON.stringify(v); } catch { return String(v); } })();
  const log = (...args) => {
    const line = args.map(show).join(' ');
    if (logChars >= ${MAX_LOG_CHARS}) return;
    logs.push(line.slice(0, ${MAX_LOG_CHARS} - logChars));
    logChars += line.length;
  };
  globalThis.console = { log, info: log, warn: log, error: log };
  const charts = [];
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const keep = (name, svg) => {
    if (typeof name !== 'string' || name.trim() === '') throw new TypeError('chart name must be a non-empty string');
    if (typeof svg !== 'string' || !svg.trimStart().startsWith('<svg')) throw new TypeError('chart.svg needs SVG text starting with <svg');
    if (svg.length > ${MAX_CHART_CHARS}) throw new RangeError('a chart may be at most ${MAX_CHART_CHARS} characters of SVG');
    if (charts.length >= ${MAX_CHARTS}) throw new RangeError('at most ${MAX_CHARTS} charts per call');
    charts.push({ name: name.slice(0, 200), svg });
    return name;
  };
  const numbers = (values) => {
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'number' || !isFinite(v)))
      throw new TypeError('values must be a non-empty array of finite numbers');
    return values;
  };
  const frame = (spec, draw) => {
    const labels = (spec.labels ?? []).map(String);
    const values = numbers(spec.values);
    if (labels.length !== 0 && labels.length !== values.length) throw new TypeError('labels and values must be as many');
    const W = 640, H = 360, L = 56, R = 16, T = spec.title ? 40 : 16, B = 48;
    // Axis ends and ticks on round numbers: a step of 1, 2 or 5 times a power of ten, four or so ticks.
    const rawMax = Math.max(0, ...values), rawMin = Math.min(0, ...values);
    const rough = (rawMax - rawMin || 1) / 4;
    const power = Math.pow(10, Math.floor(Math.log10(rough)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
    const max = Math.ceil(rawMax / step) * step, min = Math.floor(rawMin / step) * step;
    const span = max - min || 1;
    const y = (v) => T + (H - T - B) * (1 - (v - min) / span);
    const x = (i, n) => L + ((W - L - R) * (i + 0.5)) / n;
    const parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '" font-family="sans-serif" font-size="12">',
      '<rect width="100%" height="100%" fill="#fff"/>'];
    if (spec.title) parts.push('<text x="' + W / 2 + '" y="24" text-anchor="middle" font-size="16">' + esc(spec.title) + '</text>');
    for (let v = min; v <= max + step / 2; v += step) {
      parts.push('<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y(v) + '" y2="' + y(v) + '" stroke="#ddd"/>',
        '<text x="' + (L - 6) + '" y="' + (y(v) + 4) + '" text-anchor="end" fill="#555">' + esc(Math.round(v * 1e6) / 1e6) + '</text>');
    }
    draw(parts, values, x, y);
    labels.forEach((label, i) => parts.push('<text x="' + x(i, values.length) + '" y="' + (H - B + 18) + '" text-anchor="middle" fill="#333">' + esc(label.slice(0, 24)) + '</text>'));
    parts.push('</svg>');
    return parts.join('');
  };
  globalThis.chart = Object.freeze({
    svg: keep,
    bar(name, spec) {
      return keep(name, frame(spec, (parts, values, x, y) => {
        const w = Math.max(2, (640 - 72) / values.length * 0.7);
        values.forEach((v, i) => parts.push('<rect x="' + (x(i, values.length) - w / 2) + '" y="' + Math.min(y(v), y(0)) + '" width="' + w + '" height="' + Math.abs(y(0) - y(v)) + '" fill="' + esc(spec.color ?? '#3b6fd8') + '"/>'));
      }));
    },
    line(name, spec) {
      return keep(name, frame(spec, (parts, values, x, y) => {
        const points = values.map((v, i) => x(i, values.length) + ',' + y(v)).join(' ');
        parts.push('<polyline fill="none" stroke="' + esc(spec.color ?? '#3b6fd8') + '" stroke-width="2" points="' + points + '"/>');
      }));
    },
  });
  // What code written for a browser or Node reaches for to open a connection or load a module: each says
  // plainly why it cannot, instead of "not defined".
  const refuse = (what, why) => function () { throw new Error('run_code has ' + why + ': ' + what + ' is not available'); };
  for (const name of ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'])
    globalThis[name] = refuse(name, 'no network');
  for (const name of ['require', 'importScripts'])
    globalThis[name] = refuse(name, 'no modules');
  globalThis.__collect = () => ({ logs, charts });
})();
`;
