import { SingleBar } from 'cli-progress';
import type { ProgressSample } from './report';

// The live view of a run: a progress bar on a terminal (items labeled, answers, open disputes,
// tokens paid, the last fault under --chaos), a plain line every 10 s elsewhere.

export interface ProgressView {
  update(sample: ProgressSample, total: number, chaos: string): void;
  stop(): void;
}

export function progressView(params: { tty: boolean; symbol: string; out: NodeJS.WritableStream }): ProgressView {
  if (params.tty) {
    const bar = new SingleBar({
      stream: params.out,
      format: `labeled {bar} {value}/{total} items | {answers} answers | {disputes} disputes open | {paid} ${params.symbol} paid {chaos}`,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    });
    let started = false;
    return {
      update(sample, total, chaos) {
        const payload = { answers: sample.answers, disputes: sample.openDisputes, paid: sample.paid, chaos };
        if (!started) {
          bar.start(total, sample.labeledItems, payload);
          started = true;
        } else bar.update(sample.labeledItems, payload);
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = -Infinity;
  return {
    update(sample, total, chaos) {
      if (sample.t - last < 10) return;
      last = sample.t;
      params.out.write(
        `[simulate] t=${Math.round(sample.t)}s labeled ${sample.labeledItems}/${total}, ${sample.answers} answers, ${sample.openDisputes} disputes open, ${sample.paid} ${params.symbol} paid${chaos ? `, ${chaos}` : ''}\n`,
      );
    },
    stop: () => undefined,
  };
}
