import { existsSync, readFileSync, writeFileSync } from 'node:fs';

// Replaces the `## <heading>` section of docs/benchmarks.md (up to the next `## `), or appends it,
// so each bench rewrites only its own numbers.
export function writeBenchmarkSection(params: { file: string; heading: string; section: string }): void {
  let doc = existsSync(params.file) ? readFileSync(params.file, 'utf8') : '# Benchmarks\n';
  const escaped = params.heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = doc.search(new RegExp(`^## ${escaped}\\s*$`, 'm'));
  if (start >= 0) {
    const rest = doc.slice(start + 1);
    const next = rest.search(/^## /m);
    doc = doc.slice(0, start) + (next >= 0 ? `${params.section}\n${rest.slice(next)}` : params.section);
  } else {
    doc = `${doc.trimEnd()}\n\n${params.section}`;
  }
  writeFileSync(params.file, doc.endsWith('\n') ? doc : `${doc}\n`);
}

// The middle value (upper middle for an even count): benches report medians of several runs.
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
