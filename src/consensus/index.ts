// Public surface of the pure consensus module (no Nest, TypeORM or I/O anywhere below).
export * from './types';
export * from './encoding';
export * from './aggregate';
export * from './majority-vote';
export * from './dawid-skene';
export * from './agreement';
export * from './multi-choice';
export * from './rating';
export * from './free-text';
export * from './dynamic-overlap';
export * from './gold-accuracy';
export { argmaxRow, groupByItem, matrixFromTriples, type ItemGroups, type RowTable } from './answer-matrix';
