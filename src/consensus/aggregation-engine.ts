import { aggregate, type AggregateInput, type AggregateResult } from './aggregate';
import { aggregateMultiChoice, type MultiChoiceInput, type MultiChoiceResult } from './multi-choice';

// Where the label collectors run the expensive part (the iterative methods). The pure module only
// knows this shape; the service passes a worker-thread engine for large datasets so EM never
// blocks its event loop (consensus-threads.ts), and everything else uses this in-process one.

export interface AggregationEngine {
  categorical(input: AggregateInput): Promise<AggregateResult>;
  multiChoice(input: MultiChoiceInput): Promise<MultiChoiceResult>;
}

export const IN_PROCESS_ENGINE: AggregationEngine = {
  categorical: async (input) => aggregate(input),
  multiChoice: async (input) => aggregateMultiChoice(input),
};
