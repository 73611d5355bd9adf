import type { AssignmentState } from './submit-rules';
import type { TaskItemView } from './assignments.repository';

// What the services hand to the resolver: exactly the public Assignment shape, nothing more.
export interface AssignmentView {
  id: string;
  datasetId: string;
  status: AssignmentState;
  expiresAt: Date;
  items: TaskItemView[];
}
