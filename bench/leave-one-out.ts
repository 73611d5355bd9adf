// Leave-one-dataset-out: how the consensus defaults are chosen without overfitting the five
// development datasets. A choice is made on every subset that leaves one dataset out and scored
// on the one left out, so the reported number is what the procedure achieves on data it has not
// seen, not the best in hindsight.

/** values[option][dataset], higher is better (accuracy regret, or minus calibration error). */
export type OptionTable = readonly (readonly number[])[];

/** The option whose worst value over `datasets` is best; ties go to the better mean, then to the
 * earlier option (so list the preferred option, e.g. textbook DS, first). */
export function bestWorstCase(params: { values: OptionTable; datasets: readonly number[] }): number {
  const { values, datasets } = params;
  let best = -1,
    bestWorst = -Infinity,
    bestMean = -Infinity;
  values.forEach((row, option) => {
    let worst = Infinity,
      sum = 0;
    for (const d of datasets) {
      worst = Math.min(worst, row[d]);
      sum += row[d];
    }
    const mean = sum / datasets.length;
    if (worst > bestWorst + 1e-12 || (Math.abs(worst - bestWorst) <= 1e-12 && mean > bestMean + 1e-12)) {
      best = option;
      bestWorst = worst;
      bestMean = mean;
    }
  });
  return best;
}

/** values[option][d] - the best value any option reaches on d: 0 for the hindsight best, negative otherwise. */
export function regretTable(values: OptionTable): number[][] {
  const numDatasets = values[0]?.length ?? 0;
  const best = Array.from({ length: numDatasets }, (_, d) => Math.max(...values.map((row) => row[d])));
  return values.map((row) => row.map((v, d) => v - best[d]));
}
