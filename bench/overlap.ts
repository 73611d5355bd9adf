import { aggregate, decideOverlap, DEFAULT_METHOD, type AnswerMatrix, type MethodSelection } from '../src/consensus';
import { seededRandom } from '../test/support/seeded-random';

// Fixed overlap vs dynamic overlap on a simulated crowd, using the same pure decideOverlap() the
// task service will use. Each round aggregates all answers bought so far and buys one more answer
// for every item the decision says NEED_MORE. Reported per policy: answers bought per item,
// accuracy against the simulated truth, share of items at/above target, LOW_AGREEMENT share.
// Run: npm run bench:overlap

const K = 3;
const ITEMS = 2000;
const WORKERS = 100;
const SEEDS = [1, 2, 3, 4, 5];
const TARGETS = [0.9, 0.95, 0.99];
// The default method and textbook DS, both with the calibrated confidence the service acts on.
const METHODS: readonly MethodSelection[] = [DEFAULT_METHOD, 'ds'];

/** 50% good workers (accuracy 0.85-0.95), 30% careless (0.5-0.7), 20% spammers (uniform). */
interface Crowd {
  truth: Int32Array;
  accuracy: Float64Array;
  random: () => number;
}

function crowd(seed: number): Crowd {
  const random = seededRandom(seed);
  const accuracy = Float64Array.from({ length: WORKERS }, (_, w) => {
    const share = w / WORKERS;
    return share < 0.5 ? 0.85 + 0.1 * random() : share < 0.8 ? 0.5 + 0.2 * random() : 1 / K;
  });
  const truth = Int32Array.from({ length: ITEMS }, () => Math.floor(random() * K));
  return { truth, accuracy, random };
}

/** Growable answer log; a worker answers an item at most once (as the platform enforces). */
class AnswerLog {
  items: number[] = [];
  workers: number[] = [];
  labels: number[] = [];
  readonly count = new Int32Array(ITEMS);
  private readonly seen = new Set<number>();

  constructor(private readonly c: Crowd) {}

  buy(item: number): void {
    let w: number;
    do w = Math.floor(this.c.random() * WORKERS);
    while (this.seen.has(item * WORKERS + w));
    this.seen.add(item * WORKERS + w);
    const right = this.c.random() < this.c.accuracy[w];
    const wrong = (this.c.truth[item] + 1 + Math.floor(this.c.random() * (K - 1))) % K;
    this.items.push(item);
    this.workers.push(w);
    this.labels.push(right ? this.c.truth[item] : wrong);
    this.count[item]++;
  }

  matrix(): AnswerMatrix {
    return {
      numItems: ITEMS,
      numWorkers: WORKERS,
      numClasses: K,
      itemIndex: Int32Array.from(this.items),
      workerIndex: Int32Array.from(this.workers),
      labelIndex: Int32Array.from(this.labels),
    };
  }
}

interface Outcome {
  answersPerItem: number;
  accuracy: number;
  atTarget: number;
  accuracyAtTarget: number;
  lowAgreement: number;
  rounds: number;
}

function simulate(params: {
  seed: number;
  min: number;
  max: number;
  target: number;
  method: MethodSelection;
}): Outcome {
  const c = crowd(params.seed);
  const log = new AnswerLog(c);
  for (let i = 0; i < ITEMS; i++) for (let n = 0; n < params.min; n++) log.buy(i);
  let rounds = 0;
  for (;;) {
    rounds++;
    const result = aggregate({ method: params.method, matrix: log.matrix() });
    const decisions = Array.from({ length: ITEMS }, (_, i) =>
      decideOverlap({
        answers: log.count[i],
        confidence: result.confidence[i],
        answersPerItem: params.min,
        maxAnswersPerItem: params.max,
        targetConfidence: params.target,
      }),
    );
    const needMore = decisions.flatMap((d, i) => (d === 'NEED_MORE' ? [i] : []));
    if (needMore.length === 0) {
      let correct = 0,
        atTarget = 0,
        correctAtTarget = 0;
      for (let i = 0; i < ITEMS; i++) {
        if (result.labels[i] === c.truth[i]) correct++;
        if (result.confidence[i] >= params.target) {
          atTarget++;
          if (result.labels[i] === c.truth[i]) correctAtTarget++;
        }
      }
      return {
        answersPerItem: log.items.length / ITEMS,
        accuracy: correct / ITEMS,
        atTarget: atTarget / ITEMS,
        accuracyAtTarget: atTarget > 0 ? correctAtTarget / atTarget : 1,
        lowAgreement: decisions.filter((d) => d === 'LOW_AGREEMENT').length / ITEMS,
        rounds,
      };
    }
    for (const i of needMore) log.buy(i);
  }
}

function mean(outcomes: Outcome[], key: keyof Outcome): number {
  return outcomes.reduce((s, o) => s + o[key], 0) / outcomes.length;
}

function main(): void {
  console.log(
    `${ITEMS} items, K=${K}, ${WORKERS} workers (50% good 0.85-0.95, 30% careless 0.5-0.7, 20% uniform spammers), mean of ${SEEDS.length} seeds; calibrated confidence (src/consensus/calibration.ts)`,
  );
  console.log(
    '| method | target confidence | policy | answers bought / item | vs fixed 5 | accuracy | items ≥ target | accuracy of items ≥ target | LOW_AGREEMENT items | rounds |',
  );
  console.log('|---|--:|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const method of METHODS) {
    for (const target of TARGETS) {
      const policies: [string, number, number][] = [
        ['fixed 3', 3, 3],
        ['fixed 5', 5, 5],
        ['fixed 7', 7, 7],
        ['dynamic 3→7', 3, 7],
      ];
      const rows = policies.map(([name, min, max]) => ({
        name,
        runs: SEEDS.map((seed) => simulate({ seed, min, max, target, method })),
      }));
      const fixed5 = mean(rows[1].runs, 'answersPerItem');
      for (const { name, runs } of rows) {
        const a = mean(runs, 'answersPerItem');
        console.log(
          `| ${method} | ${target} | ${name} | ${a.toFixed(2)} | ${(a / fixed5).toFixed(2)}× | ${mean(runs, 'accuracy').toFixed(4)} | ${(100 * mean(runs, 'atTarget')).toFixed(1)}% | ${mean(runs, 'accuracyAtTarget').toFixed(4)} | ${(100 * mean(runs, 'lowAgreement')).toFixed(1)}% | ${mean(runs, 'rounds').toFixed(1)} |`,
        );
      }
    }
  }
}

main();
