// The report page's charts as plain Chart.js configurations, built here rather than in the page
// so they can be tested without a browser and so the page's own script stays a three-line loop.
// Only JSON-able values (no callbacks): the configurations are embedded in the page as JSON.
import type { ChartConfiguration } from 'chart.js';
import type { SimulationReport, WorkerKind } from './report';

export interface ChartSpec {
  /** The canvas element's id. */
  id: string;
  title: string;
  /** One sentence under the title saying how to read the chart. */
  note: string;
  config: ChartConfiguration<'bar'> | ChartConfiguration<'line'>;
}

export const KIND_COLORS: Record<WorkerKind, string> = {
  good: '#2e7d32',
  careless: '#f9a825',
  spammer: '#757575',
  adversarial: '#c62828',
  colluding: '#6a1b9a',
};
const PRODUCT_COLOR = '#1565c0';
const BASELINE_COLOR = '#90a4ae';

// Animations off: a screenshot or a printed page must show the final picture, not a frame of it.
const COMMON_OPTIONS = { animation: false, responsive: true, maintainAspectRatio: false } as const;

const percent = (share: number | null): number | null => (share === null ? null : Math.round(share * 1000) / 10);
const tokens = (amount: string): number => Number(amount);

export function buildChartSpecs(report: SimulationReport): ChartSpec[] {
  // The three small charts fill one row of the page, the two wide ones follow.
  return [accuracyChart(report), costChart(report), overlapChart(report), earningsChart(report), progressChart(report)];
}

function accuracyChart({ kinds, accuracy }: SimulationReport): ChartSpec {
  return {
    id: 'chart-accuracy',
    title: 'Accuracy by worker kind',
    note: 'Share of each kind’s answers equal to the truth, next to the share of final labels that are right.',
    config: {
      type: 'bar',
      data: {
        labels: [...kinds.map((k) => k.kind), 'product labels', 'majority vote'],
        datasets: [
          {
            label: 'correct (%)',
            data: [...kinds.map((k) => percent(k.accuracy)), percent(accuracy.product), percent(accuracy.majorityVote)],
            backgroundColor: [...kinds.map((k) => KIND_COLORS[k.kind]), PRODUCT_COLOR, BASELINE_COLOR],
          },
        ],
      },
      options: { ...COMMON_OPTIONS, plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 } } },
    },
  };
}

// One bar per labeler, richest first, one dataset per kind so the legend names the colours;
// stacked so that the single non-empty value of each column sits centred on its label.
function earningsChart({ labelers, token }: SimulationReport): ChartSpec {
  const sorted = [...labelers].sort((a, b) => tokens(b.earned) - tokens(a.earned));
  const kinds = [...new Set(sorted.map((l) => l.kind))];
  return {
    id: 'chart-earnings',
    title: 'Earnings per labeler',
    note: `${token.symbol} earned (paid and still owed) by each labeler, richest first, coloured by kind.`,
    config: {
      type: 'bar',
      data: {
        labels: sorted.map((l) => l.name),
        datasets: kinds.map((kind) => ({
          label: kind,
          data: sorted.map((l) => (l.kind === kind ? tokens(l.earned) : null)),
          backgroundColor: KIND_COLORS[kind],
        })),
      },
      options: { ...COMMON_OPTIONS, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    },
  };
}

function progressChart({ progress, token }: SimulationReport): ChartSpec {
  const series = (label: string, color: string, value: (s: (typeof progress)[number]) => number, yAxisID = 'y') => ({
    label,
    yAxisID,
    data: progress.map((s) => ({ x: s.t, y: value(s) })),
    borderColor: color,
    backgroundColor: color,
    pointRadius: progress.length > 60 ? 0 : 2,
  });
  return {
    id: 'chart-progress',
    title: 'Progress over time',
    note: `Counts on the left axis, ${token.symbol} paid on chain on the right; seconds since the run started.`,
    config: {
      type: 'line',
      data: {
        datasets: [
          series('labeled items', PRODUCT_COLOR, (s) => s.labeledItems),
          series('answers', BASELINE_COLOR, (s) => s.answers),
          series('open disputes', KIND_COLORS.adversarial, (s) => s.openDisputes),
          series(`${token.symbol} paid`, KIND_COLORS.good, (s) => tokens(s.paid), 'tokens'),
        ],
      },
      options: {
        ...COMMON_OPTIONS,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'seconds' } },
          y: { beginAtZero: true, title: { display: true, text: 'count' } },
          tokens: {
            position: 'right',
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            title: { display: true, text: token.symbol },
          },
        },
      },
    },
  };
}

// The same answers were paid for whichever way they are aggregated; what the aggregation changes
// is how many final labels come out right. So spent / correct labels, for the product's labels
// and for a plain majority vote over the same answers, is what a requester pays per correct label
// with and without the product's consensus.
function costChart({ cost, accuracy, token }: SimulationReport): ChartSpec {
  const perCorrect = (share: number): number | null => {
    const correct = Math.round(share * accuracy.items);
    return correct === 0 ? null : Math.round((tokens(cost.spent) / correct) * 10000) / 10000;
  };
  return {
    id: 'chart-cost',
    title: 'Cost per correct label',
    note: `${token.symbol} spent divided by the final labels equal to the truth, for the same paid answers.`,
    config: {
      type: 'bar',
      data: {
        labels: [`product (${accuracy.aggregation})`, 'majority vote'],
        datasets: [
          {
            label: `${token.symbol} per correct label`,
            data: [perCorrect(accuracy.product), perCorrect(accuracy.majorityVote)],
            backgroundColor: [PRODUCT_COLOR, BASELINE_COLOR],
          },
        ],
      },
      options: { ...COMMON_OPTIONS, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    },
  };
}

function overlapChart({ overlap }: SimulationReport): ChartSpec {
  return {
    id: 'chart-overlap',
    title: 'Answers per item',
    note: 'How many regular items received each number of answers before they were labeled.',
    config: {
      type: 'bar',
      data: {
        labels: overlap.histogram.map((h) => String(h.answers)),
        datasets: [{ label: 'items', data: overlap.histogram.map((h) => h.items), backgroundColor: PRODUCT_COLOR }],
      },
      options: { ...COMMON_OPTIONS, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    },
  };
}
