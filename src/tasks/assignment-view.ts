import type { AssignmentState } from './submit-rules';
import type { TaskItemView } from './assignments.repository';

// What the services hand to the resolver: exactly the public Assignment shape, nothing more.
export interface AssignmentView {
  id: string;
  datasetId: string;
  status: AssignmentState;
  expiresAt: Date;
  submittedAt: Date | null;
  // When the verdict was published; null while SUBMITTED (or never submitted).
  verdictAt: Date | null;
  // Loaded, or only the ids (in the order shown) when the caller may not want them: the resolver
  // reads the payloads only if the query selects them.
  items: TaskItemView[] | { ids: string[] };
}
