// Writes the simulation's two outputs side by side: the data and the page that shows it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderHtmlReport } from './html-report';
import type { SimulationReport } from './report';

export function writeReportFiles(report: SimulationReport, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = resolve(join(dir, 'report.json'));
  const html = resolve(join(dir, 'report.html'));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtmlReport(report));
  return { json, html };
}
