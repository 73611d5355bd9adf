// Renders a SimulationReport as one self-contained HTML page: Chart.js is inlined, the data is
// embedded as JSON, and a Content-Security-Policy forbids any fetch, so the file opens offline and
// a hostile string in the data (a labeler name, a dataset path) can neither run nor load anything.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { escapeHtml as esc, jsonForScript } from './html-escape';
import { REPORT_CSS } from './html-report-style';
import type { SimulationReport } from './report';
import { buildChartSpecs, type ChartSpec } from './report-charts';

// chart.js does not export its UMD file as a subpath; it sits next to the CommonJS entry point.
let chartJsBundle: string | undefined;
function chartJs(): string {
  // Its source-map comment goes: the page is a single file, so the map could never be found.
  chartJsBundle ??= readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8').replace(
    /\n\/\/# sourceMappingURL=\S+\s*$/,
    '\n',
  );
  return chartJsBundle;
}

// Draws every chart from the embedded configurations; the ids match the canvases.
const DRAW_SCRIPT = `Chart.defaults.animation = false;
for (const [id, config] of Object.entries(JSON.parse(document.getElementById('chart-configs').textContent))) {
  new Chart(document.getElementById(id), config);
}`;

/** The whole page for one report. Reads the Chart.js bundle once per process; otherwise pure. */
export function renderHtmlReport(report: SimulationReport): string {
  const charts = buildChartSpecs(report);
  const configs = Object.fromEntries(charts.map((c) => [c.id, c.config]));
  const scripts = [chartJs(), DRAW_SCRIPT];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256Source).join(' ')}`,
    `style-src ${sha256Source(REPORT_CSS)}`,
    'img-src data:',
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Labelchain simulation · ${esc(report.startedAt)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${header(report)}
${reconciliation(report)}
${invariants(report)}
${summary(report)}
${chartSection(charts)}
${kindsTable(report)}
${blockedLabelers(report)}
${disputes(report)}
${report.chaos ? chaosEvents(report.chaos.events) : ''}
<script type="application/json" id="report-data">${jsonForScript(report)}</script>
<script type="application/json" id="chart-configs">${jsonForScript(configs)}</script>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const pct = (share: number | null): string => (share === null ? '—' : `${(share * 100).toFixed(1)} %`);
const num = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const seconds = (t: number | null): string => (t === null ? '—' : `${num(t, 1)} s`);

function header({ options, startedAt, durationSeconds, token }: SimulationReport): string {
  const items: [string, string][] = [
    ['started', startedAt],
    ['duration', seconds(durationSeconds)],
    ['workers', String(options.workers)],
    ['items', String(options.items)],
    ['reviewers', String(options.reviewers)],
    ['chaos', options.chaos ? 'on' : 'off'],
    ['seed', String(options.seed)],
    ['source', options.source],
    ['classes', options.classes.join(', ')],
    ['token', token.symbol],
  ];
  const list = items.map(([k, v]) => `<li><b>${esc(k)}</b> ${esc(v)}</li>`).join('');
  return `<header><h1>Labelchain simulation</h1><ul class="options">${list}</ul></header>`;
}

function reconciliation({ reconciliation: r, token }: SimulationReport): string {
  const amounts: [string, string][] = [
    ['Received on chain by labelers and reviewers', r.onChainReceived],
    ['Paid according to the ledger', r.ledgerPaid],
    ['Left the vault (deposits − vault balance change − refund)', r.vaultOutflow],
    ['Refunded to the requester', r.refund],
    ['Budget − spent', r.budgetMinusSpent],
  ];
  const rows = amounts.map(
    ([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${esc(v)} ${esc(token.symbol)}</td></tr>`,
  );
  const verdict = r.holds
    ? 'Reconciliation holds: chain, ledger and vault agree'
    : 'Reconciliation does not hold: chain, ledger and vault disagree';
  return `<section id="reconciliation" class="card verdict ${r.holds ? 'holds' : 'fails'}">
<p class="verdict-text">${verdict}</p><table>${rows.join('')}</table></section>`;
}

function invariants({ invariants: list }: SimulationReport): string {
  const rows = list.map(
    (i) => `<tr class="${i.violations > 0 ? 'violated' : ''}"><td>${esc(i.name)}</td>
<td class="num">${i.violations}</td><td>${esc(i.detail)}</td></tr>`,
  );
  return `<section id="invariants" class="card"><h2>Invariants</h2>
<table><tr><th>invariant</th><th class="num">violations</th><th>detail</th></tr>${rows.join('')}</table></section>`;
}

function summary({ accuracy, cost, overlap, token }: SimulationReport): string {
  const sym = esc(token.symbol);
  const row = (k: string, v: string) => `<tr><td>${esc(k)}</td><td class="num">${v}</td></tr>`;
  return `<section class="grid">
<div class="card" id="accuracy"><h2>Accuracy</h2><p class="big">${pct(accuracy.product)}</p>
<table>${row(`product (${accuracy.aggregation})`, pct(accuracy.product))}${row('majority vote', pct(accuracy.majorityVote))}
${row('items with a truth', num(accuracy.items))}</table></div>
<div class="card" id="cost"><h2>Cost</h2><p class="big">${esc(cost.perCorrectLabel ?? '—')} ${sym} <span class="muted">per correct label</span></p>
<table>${row('budget', `${esc(cost.budget)} ${sym}`)}${row('spent', `${esc(cost.spent)} ${sym}`)}
${row('refunded', `${esc(cost.refunded)} ${sym}`)}${row('payout batches', num(cost.payoutBatches))}
${row('gas: deposit / payouts / refund', `${num(cost.gas.deposit)} / ${num(cost.gas.payouts)} / ${num(cost.gas.refund)}`)}
${row('gas total', num(cost.gas.total))}</table></div>
<div class="card" id="overlap"><h2>Overlap</h2><p class="big">${num(overlap.mean, 2)} <span class="muted">answers per item</span></p>
<table>${row('mean', num(overlap.mean, 2))}${row('min', num(overlap.min))}${row('max', num(overlap.max))}</table></div>
</section>`;
}

function chartSection(charts: ChartSpec[]): string {
  const figures = charts.map(
    (c) => `<figure class="card${c.id === 'chart-earnings' || c.id === 'chart-progress' ? ' chart-wide' : ''}">
<figcaption><h3>${esc(c.title)}</h3><p>${esc(c.note)}</p></figcaption>
<div class="chart-box"><canvas id="${esc(c.id)}" role="img" aria-label="${esc(c.title)}"></canvas></div></figure>`,
  );
  return `<section id="charts" class="grid">${figures.join('\n')}</section>`;
}

function kindsTable({ kinds, token }: SimulationReport): string {
  const rows = kinds.map(
    (k) => `<tr><td class="kind-${esc(k.kind)}">${esc(k.kind)}</td><td class="num">${k.labelers}</td>
<td class="num">${num(k.answers)}</td><td class="num">${pct(k.accuracy)}</td><td class="num">${esc(k.earned)}</td>
<td class="num">${k.blocked}</td><td class="num">${seconds(k.medianBlockedAt)}</td></tr>`,
  );
  return `<section id="kinds" class="card"><h2>Worker kinds</h2><table><tr><th>kind</th><th class="num">labelers</th>
<th class="num">answers</th><th class="num">accuracy</th><th class="num">earned (${esc(token.symbol)})</th>
<th class="num">blocked</th><th class="num">median time to block</th></tr>${rows.join('')}</table></section>`;
}

function blockedLabelers({ labelers }: SimulationReport): string {
  const blocked = labelers
    .filter((l) => l.blocked)
    .sort((a, b) => (a.blockedAt ?? Infinity) - (b.blockedAt ?? Infinity));
  if (blocked.length === 0) return '<section id="blocked" class="card"><h2>Blocked labelers</h2><p>None.</p></section>';
  const rows = blocked.map(
    (l) => `<tr><td>${esc(l.name)}</td><td class="kind-${esc(l.kind)}">${esc(l.kind)}</td>
<td class="num">${seconds(l.blockedAt)}</td><td>${esc(l.blockReason ?? '')}</td></tr>`,
  );
  return `<section id="blocked" class="card"><h2>Blocked labelers (${blocked.length})</h2><table>
<tr><th>labeler</th><th>kind</th><th class="num">blocked at</th><th>reason</th></tr>${rows.join('')}</table></section>`;
}

function disputes({ disputes: counts }: SimulationReport): string {
  if (counts.length === 0)
    return '<section id="disputes" class="card"><h2>Disputes</h2><p>None were opened.</p></section>';
  const rows = counts.map(
    (d) => `<tr><td>${esc(d.kind)}</td><td>${esc(d.outcome)}</td><td class="num">${num(d.count)}</td></tr>`,
  );
  return `<section id="disputes" class="card"><h2>Disputes</h2>
<table><tr><th>kind</th><th>outcome or status</th><th class="num">cases</th></tr>${rows.join('')}</table></section>`;
}

function chaosEvents(events: { t: number; what: string }[]): string {
  const list = events.length
    ? `<ol class="events">${events.map((e) => `<li>${seconds(e.t)}: ${esc(e.what)}</li>`).join('')}</ol>`
    : '<p>No chaos events were recorded.</p>';
  return `<section id="chaos" class="card"><h2>Chaos events</h2>${list}</section>`;
}
