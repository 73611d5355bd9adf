import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChartSpecs } from '../../src/simulation/report-charts';
import { writeReportFiles } from '../../src/simulation/report-files';
import { sampleReport } from '../../src/simulation/sample-report';
import { findChromium, openHtmlReport, screenshotHtmlReport, type OpenedReport } from '../../src/simulation/screenshot';

// Decided at load time so a machine without Chromium reports these tests as skipped, not passed.
const chromium = findChromium();
if (!chromium) {
  console.warn(
    'Skipping the report page tests in Chromium: no binary at $CHROMIUM_PATH or /usr/bin/chromium. ' +
      'Install it with `apt-get install chromium` (or point CHROMIUM_PATH at one).',
  );
}
const describeInChromium = chromium ? describe : describe.skip;

interface CanvasProbe {
  id: string;
  /** Points per dataset of the Chart.js chart on the canvas; null when no chart is attached. */
  datasets: number[] | null;
  /** Pixels that are not fully transparent. */
  painted: number;
}

// Runs in the page (the test's tsconfig has no DOM types, hence a string).
const PROBE_CANVASES = `[...document.querySelectorAll('canvas')].map((canvas) => {
  const chart = Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return { id: canvas.id, datasets: chart ? chart.data.datasets.map((d) => d.data.length) : null, painted };
})`;

describeInChromium('the simulation report page in Chromium', () => {
  const report = sampleReport();
  report.chaos = { events: [{ t: 3, what: 'SIGKILL worker' }] };
  report.labelers[0] = { ...report.labelers[0], name: 'good-01</script><img src=x onerror="document.title=1">' };
  let dir: string;
  let htmlPath: string;
  let opened: OpenedReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'labelchain-report-page-'));
    htmlPath = writeReportFiles(report, dir).html;
    opened = await openHtmlReport(htmlPath);
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart, on its canvas, with the points it was given', async () => {
    const probes = await opened.page.evaluate<CanvasProbe[]>(PROBE_CANVASES);
    const expected = buildChartSpecs(report).map((s) => ({
      id: s.id,
      datasets: s.config.data.datasets.map((d) => d.data.length),
    }));
    expect(probes.map(({ id, datasets }) => ({ id, datasets }))).toEqual(expected);
    for (const probe of probes)
      expect({ id: probe.id, drawn: probe.painted > 0 }).toEqual({ id: probe.id, drawn: true });
  });

  it('shows the reconciliation verdict and the chaos events', async () => {
    const verdict = opened.page.locator('#reconciliation .verdict-text');
    expect(await verdict.isVisible()).toBe(true);
    expect(await verdict.textContent()).toBe('Reconciliation holds: chain, ledger and vault agree');
    expect(await opened.page.locator('#chaos li').allTextContents()).toEqual(['3 s: SIGKILL worker']);
  });

  it('shows a hostile labeler name as text, never as markup', async () => {
    expect(await opened.page.locator('img').count()).toBe(0);
    expect(await opened.page.title()).toBe('Labelchain simulation · 2025-01-15T10:00:00.000Z');
  });

  // Last, so that anything the earlier steps or Chart.js's resize handling logged is included.
  it('runs without page errors, console errors or blocked requests', () => {
    expect(opened.errors).toEqual([]);
  });

  it('screenshots the whole page to a PNG', async () => {
    const pngPath = join(dir, 'report.png');
    await screenshotHtmlReport(htmlPath, pngPath);
    const png = readFileSync(pngPath);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: the viewport's width, and taller than the 900 px viewport since the page is captured whole.
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
    expect(png.length).toBeGreaterThan(50_000);
  });
});
