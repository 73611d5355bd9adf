// Every entity of the service, in one list, so the app, the TypeORM CLI and the tests agree.
// Each domain adds its entities here.
import { AccountEntity } from '../auth/account.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { AuthNonceEntity } from '../auth/auth-nonce.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { DatasetEntity } from '../datasets/dataset.entity';
import { ItemEntity } from '../datasets/item.entity';
import { LedgerEntryEntity } from '../ledger/ledger-entry.entity';
import { ItemResultEntity } from '../quality/item-result.entity';
import { WorkerStatEntity } from '../quality/worker-stat.entity';
import { OutboxEntity } from '../queues/outbox.entity';
import { AnswerEntity } from '../tasks/answer.entity';
import { AssignmentEntity } from '../tasks/assignment.entity';
import { TaskEntity } from '../tasks/task.entity';

export const ENTITIES = [
  AccountEntity,
  AuthNonceEntity,
  ApiKeyEntity,
  AuditEventEntity,
  OutboxEntity,
  DatasetEntity,
  ItemEntity,
  TaskEntity,
  AssignmentEntity,
  AnswerEntity,
  WorkerStatEntity,
  ItemResultEntity,
  LedgerEntryEntity,
];
