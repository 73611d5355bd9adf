// The report page's stylesheet: system fonts only (the page must render offline, as one file).
import { KIND_COLORS } from './report-charts';

const kindSwatches = Object.entries(KIND_COLORS)
  .map(([kind, color]) => `.kind-${kind}::before { background: ${color}; }`)
  .join('\n');

export const REPORT_CSS = `
:root { --ok: #2e7d32; --ok-bg: #e8f5e9; --bad: #c62828; --bad-bg: #ffebee; --line: #dde3ea; --muted: #5f6b7a; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2933; background: #f6f8fa; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 0; }
section, header { max-width: 1200px; margin: 0 auto 20px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; }
.muted { color: var(--muted); }
.options { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 10px 0 0; padding: 0; list-style: none; }
.options b { font-weight: 600; }
.verdict { border-width: 2px; }
.verdict.holds { border-color: var(--ok); background: var(--ok-bg); }
.verdict.fails { border-color: var(--bad); background: var(--bad-bg); }
.verdict-text { font-size: 26px; font-weight: 700; margin: 0 0 10px; }
.holds .verdict-text { color: var(--ok); }
.fails .verdict-text { color: var(--bad); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
.grid > .card { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.violated td { color: var(--bad); font-weight: 600; }
tr.violated { background: var(--bad-bg); }
.big { font-size: 22px; font-weight: 700; }
figure { margin: 0; }
figcaption p { margin: 2px 0 8px; color: var(--muted); }
.chart-box { position: relative; height: 300px; }
.chart-wide { grid-column: 1 / -1; }
[class^="kind-"]::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 6px; }
${kindSwatches}
ol.events { margin: 0; padding-left: 20px; }
`;
