import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeHtml, jsonForScript } from './html-escape';
import { renderHtmlReport } from './html-report';
import type { SimulationReport } from './report';
import { buildChartSpecs } from './report-charts';
import { writeReportFiles } from './report-files';
import { sampleReport } from './sample-report';

const HOSTILE = '</script><img src=x onerror=alert(1)>"\'&';

function withHostileStrings(): SimulationReport {
  const report = sampleReport();
  report.options.source = `/data/${HOSTILE}/answer.csv`;
  report.labelers[report.labelers.length - 1] = {
    ...report.labelers[report.labelers.length - 1],
    name: `evil-${HOSTILE}`,
    blockReason: `reason ${HOSTILE}`,
  };
  report.invariants[0].detail = `detail ${HOSTILE}`;
  return report;
}

/** The report as the page's embedded JSON gives it back. */
function embeddedReport(html: string): unknown {
  const match = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  if (!match) throw new Error('no report-data element');
  return JSON.parse(match[1]);
}

describe('renderHtmlReport', () => {
  it('embeds the whole report as JSON and shows its numbers', () => {
    const report = sampleReport();
    const html = renderHtmlReport(report);
    expect(embeddedReport(html)).toEqual(report);
    expect(html).toContain('95.5 %'); // product accuracy
    expect(html).toContain('87.0 %'); // majority vote
    expect(html).toContain('2.5785 LBL');
    expect(html).toContain('colluding-03');
    expect(html).toContain('identical answers with 2 other wallets on 18 of 20 items');
    for (const { id } of buildChartSpecs(report)) expect(html).toContain(`<canvas id="${id}"`);
  });

  it('escapes hostile names, reasons and paths in the markup and in the embedded JSON', () => {
    const report = withHostileStrings();
    const html = renderHtmlReport(report);
    expect(html.match(/<img|onerror=alert\(1\)>/gi)).toBeNull();
    expect(html).toContain('evil-&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(html).toContain('/data/&lt;/script&gt;&lt;img');
    // Only the page's own four script elements close: two JSON, Chart.js and the drawing script.
    expect(html.match(/<\/script/gi)).toHaveLength(4);
    expect(embeddedReport(html)).toEqual(report);
  });

  it('refers to no resource by URL and forbids fetching any', () => {
    const html = renderHtmlReport(sampleReport());
    // Chart.js's code mentions URLs in comments and strings; the markup and the CSS must not.
    const markup = html.replace(/(<script[^>]*>)[^]*?<\/script>/g, '$1</script>');
    expect(markup.match(/\b(?:src|href|action)\s*=|<link\b|@import|url\(/gi)).toBeNull();
    expect(html.match(/sourceMappingURL/g)).toBeNull();
    expect(html).toContain(`content="default-src &#39;none&#39;; script-src &#39;sha256-`);
  });

  it('shows a failing reconciliation as failing', () => {
    const report = sampleReport();
    report.reconciliation = { ...report.reconciliation, onChainReceived: '490.00', holds: false };
    const html = renderHtmlReport(report);
    expect(html).toContain('class="card verdict fails"');
    expect(html).toContain('Reconciliation does not hold');
    expect(html.includes('Reconciliation holds')).toBe(false);
    expect(html).toContain('490.00 LBL');
    expect(renderHtmlReport(sampleReport())).toContain('Reconciliation holds');
  });

  it('marks violated invariants', () => {
    const report = sampleReport();
    report.invariants[1] = { name: 'no worker saw an item twice', violations: 3, detail: '3 repeated items' };
    const html = renderHtmlReport(report);
    expect(html.match(/<tr class="violated">/g)).toHaveLength(1);
    expect(html).toMatch(/<tr class="violated"><td>no worker saw an item twice<\/td>/);
  });

  it('lists chaos events only for a chaos run', () => {
    expect(renderHtmlReport(sampleReport()).includes('id="chaos"')).toBe(false);
    const report = sampleReport();
    report.chaos = {
      events: [
        { t: 12.5, what: 'SIGKILL worker' },
        { t: 30, what: `RPC ${HOSTILE}` },
      ],
    };
    const html = renderHtmlReport(report);
    expect(html).toContain('id="chaos"');
    expect(html).toContain('<li>12.5 s: SIGKILL worker</li>');
    expect(html).toContain('<li>30 s: RPC &lt;/script&gt;');
  });

  it('is deterministic', () => {
    expect(renderHtmlReport(sampleReport())).toBe(renderHtmlReport(sampleReport()));
  });
});

describe('buildChartSpecs', () => {
  it('gives every chart one value per category or sample', () => {
    const report = sampleReport();
    const specs = Object.fromEntries(buildChartSpecs(report).map((s) => [s.id, s.config.data]));
    expect(Object.keys(specs).sort()).toEqual([
      'chart-accuracy',
      'chart-cost',
      'chart-earnings',
      'chart-overlap',
      'chart-progress',
    ]);
    expect(specs['chart-accuracy'].datasets[0].data).toHaveLength(report.kinds.length + 2);
    expect(specs['chart-earnings'].datasets.map((d) => d.label).sort()).toEqual(
      [...new Set(report.kinds.map((k) => k.kind))].sort(),
    );
    for (const d of specs['chart-earnings'].datasets) expect(d.data).toHaveLength(report.labelers.length);
    expect(specs['chart-progress'].datasets).toHaveLength(4);
    for (const d of specs['chart-progress'].datasets) expect(d.data).toHaveLength(report.progress.length);
    expect(specs['chart-overlap'].datasets[0].data).toEqual([22, 38, 51, 40, 27, 14, 8]);
  });

  it('prices a correct label by what was spent, for the product and for majority vote', () => {
    const report = sampleReport(); // 492.50 spent; 95.5 % and 87 % of 200 items right
    const cost = buildChartSpecs(report).find((s) => s.id === 'chart-cost');
    expect(cost?.config.data.datasets[0].data).toEqual([2.5785, 2.8305]);
  });
});

describe('writeReportFiles', () => {
  it('writes report.json and report.html into a new directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'labelchain-report-'));
    try {
      const report = sampleReport();
      const paths = writeReportFiles(report, join(root, 'nested', 'run'));
      expect(paths).toEqual({ json: join(root, 'nested/run/report.json'), html: join(root, 'nested/run/report.html') });
      expect(JSON.parse(readFileSync(paths.json, 'utf8'))).toEqual(report);
      expect(readFileSync(paths.html, 'utf8')).toBe(renderHtmlReport(report));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('escaping', () => {
  it.each([
    ['<b>&"\'', '&lt;b&gt;&amp;&quot;&#39;'],
    ['plain', 'plain'],
  ])('escapeHtml(%j) is %j', (text, escaped) => expect(escapeHtml(text)).toBe(escaped));

  it('keeps JSON in a script element from closing it, and round-trips', () => {
    const value = { s: '</script><!-- \u2028 & >' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
