import { matrixFromTriples } from '../../src/consensus/answer-matrix';
import type { AnswerMatrix } from '../../src/consensus/types';

// Tiny answer sets shared by the method specs, each small enough to work an iteration out by hand.

/** Two items, two workers, K = 2. Item 0: both say 0. Item 1: worker 0 says 1, worker 1 says 0.
 * Soft majority vote starts item 0 at [1, 0] and item 1 at [1/2, 1/2]. */
export function twoByTwo(): AnswerMatrix {
  return matrixFromTriples({
    answers: [
      [0, 0, 0],
      [0, 1, 0],
      [1, 0, 1],
      [1, 1, 0],
    ],
    numClasses: 2,
  });
}

/** 16 items seen by everyone: workers 0-2 always right, 3-4 always flip a binary label.
 * Items 16-19 are seen only by worker 0 and the two flippers, so majority vote gets them wrong;
 * a method that learns the flippers' behaviour on the first 16 should not. */
export function flippers(): { matrix: AnswerMatrix; truth: number[] } {
  const answers: [number, number, number][] = [];
  const truth: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = i % 2;
    truth.push(t);
    const workers = i < 16 ? [0, 1, 2, 3, 4] : [0, 3, 4];
    for (const w of workers) answers.push([i, w, w >= 3 ? 1 - t : t]);
  }
  return { matrix: matrixFromTriples({ answers, numClasses: 2 }), truth };
}

/** Majority vote's confidence when 2 of 3 answers agree: the vote share 2/3 calibrated with
 * T = n^-0.5 (src/consensus/defaults.ts), (2/3)^sqrt(3) / ((2/3)^sqrt(3) + (1/3)^sqrt(3)). */
export const MV_TWO_OF_THREE = 2 ** Math.sqrt(3) / (2 ** Math.sqrt(3) + 1);
