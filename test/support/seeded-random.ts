/** Deterministic PRNG (mulberry32) so synthetic crowds are the same on every run: the simulation's. */
export { seededRandom } from '../../src/simulation/random';
