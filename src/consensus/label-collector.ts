import { fleissKappa, krippendorffAlpha } from './agreement';
import { IN_PROCESS_ENGINE } from './aggregation-engine';
import { createAnswerEncoder } from './encoding';
import { createFreeTextCollector, createMultiChoiceCollector, createRatingCollector } from './label-collector-kinds';
import { estimateWorkerAccuracy } from './majority-vote';
import type { AggregateInput } from './aggregate';
import { tiedItems } from './ties';
import { NO_LABEL } from './types';
import { METHOD_NAME_BY_CODE, type CollectorSchema, type LabelCollector } from './collected-results';

export * from './collected-results';

// The bridge between stored answers (JSON label values, string ids) and the typed-array
// algorithms, for every label kind. A caller streams answers in one at a time (`add`), then
// `finish` runs the chosen method and returns plain per-item results. Pure: no I/O.

export function createLabelCollector(schema: CollectorSchema): LabelCollector {
  switch (schema.kind) {
    case 'SINGLE_CHOICE':
      return createSingleChoiceCollector(schema.classes);
    case 'MULTI_CHOICE':
      return createMultiChoiceCollector(schema.classes);
    case 'RATING':
      return createRatingCollector({ min: schema.min, max: schema.max });
    case 'FREE_TEXT':
      return createFreeTextCollector();
    default: {
      const unknown: never = schema.kind;
      throw new RangeError(`unknown label kind ${String(unknown)}`);
    }
  }
}

function createSingleChoiceCollector(classes: readonly string[] | undefined): LabelCollector {
  const fixed = classes !== undefined && classes.length > 0;
  const allowed = new Set(classes ?? []);
  const encoder = createAnswerEncoder(fixed ? { classes } : {});
  const fits = (value: unknown): value is string => typeof value === 'string' && (!fixed || allowed.has(value));
  return {
    add(item, worker, value) {
      if (!fits(value)) return false;
      encoder.add(item, worker, value);
      return true;
    },
    addGold(item, value) {
      if (!fits(value)) return false;
      encoder.addGold(item, value);
      return true;
    },
    async finish(options) {
      const encoded = encoder.build();
      const { matrix, gold, workerIds } = encoded;
      const engine = options.engine ?? IN_PROCESS_ENGINE;
      let workerAccuracy: Float64Array | undefined;
      if (options.method === 'wmv' && options.knownAccuracy !== undefined) {
        workerAccuracy = estimateWorkerAccuracy({ matrix, gold, priorAlpha: 1, priorBeta: 1 });
        for (let w = 0; w < workerIds.length; w++)
          workerAccuracy[w] = options.knownAccuracy(workerIds[w]) ?? workerAccuracy[w];
      }
      // Agreement first: the engine may hand the answer columns to another thread.
      const agreement = { fleissKappa: fleissKappa(matrix), krippendorffAlpha: krippendorffAlpha(matrix) };
      const answers = new Int32Array(matrix.numItems);
      for (let a = 0; a < matrix.itemIndex.length; a++) answers[matrix.itemIndex[a]]++;
      const result =
        options.method === 'wmv'
          ? await engine.categorical({ method: 'wmv', matrix, gold, workerAccuracy })
          : await engine.categorical({ method: options.method, matrix, gold } as AggregateInput);
      return {
        // The method that produced the labels: AUTO reports the one it chose.
        method: METHOD_NAME_BY_CODE[result.method],
        itemIds: encoded.itemIds,
        workerIds,
        labels: Array.from(result.labels, (c) => (c === NO_LABEL ? null : encoded.classes[c])),
        confidence: result.confidence,
        answers,
        tied: tiedItems({ posteriors: result.posteriors, numClasses: matrix.numClasses, answers }),
        workerAccuracy: result.workerAccuracy,
        ...agreement,
        itemIndex: matrix.itemIndex,
        workerIndex: matrix.workerIndex,
      };
    },
  };
}
