import { Injectable } from '@nestjs/common';
import { BoundedCache } from '../common/bounded-cache';
import type { LabelSchema } from '../datasets/dataset-status';

// What validating a submission needs and what never changes once written: whose assignment it
// is, its dataset, its items in order and its lease end (assignments are never re-leased), and
// the dataset's label schema (fixed when the dataset is created). A claim answered by this process
// leaves its assignment here, so the submit that follows validates and hashes the answers without
// reading anything and stores them in ONE statement; a submit that misses (claimed through another
// replica, or forgotten) reads the facts once. State that does change (status, cancellation,
// expiry) is never taken from here: submit_assignment decides it under the assignment's lock.
export interface AssignmentFacts {
  workerId: string;
  datasetId: string;
  itemIds: string[];
  expiresAt: Date;
}

// About 0.5 KB an assignment (six ids): 50,000 leases in flight per api process is ~25 MB.
const MAX_ASSIGNMENTS = 50_000;
const MAX_DATASETS = 5_000;

@Injectable()
export class SubmitFactsCache {
  private readonly assignments = new BoundedCache<string, AssignmentFacts>(MAX_ASSIGNMENTS);
  private readonly schemas = new BoundedCache<string, LabelSchema>(MAX_DATASETS);

  rememberAssignment(id: string, facts: AssignmentFacts): void {
    this.assignments.set(id, facts);
  }

  // Only the worker's own assignment: someone else's id must look missing, as in the database.
  assignment(id: string, workerId: string): AssignmentFacts | undefined {
    const facts = this.assignments.get(id);
    return facts && facts.workerId === workerId ? facts : undefined;
  }

  rememberSchema(datasetId: string, schema: LabelSchema): void {
    this.schemas.set(datasetId, schema);
  }

  schema(datasetId: string): LabelSchema | undefined {
    return this.schemas.get(datasetId);
  }
}
