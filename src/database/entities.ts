// Every entity of the service, in one list, so the app, the TypeORM CLI and the tests agree.
// Each domain adds its entities here.
import { AccountEntity } from '../auth/account.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { AuthNonceEntity } from '../auth/auth-nonce.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { DatasetConsensusEntity } from '../consensus/dataset-consensus.entity';
import { DisputeDecisionEntity } from '../disputes/dispute-decision.entity';
import { DisputeEntity } from '../disputes/dispute.entity';
import { GoldRescoreEntity } from '../disputes/gold-rescore.entity';
import { DatasetEntity } from '../datasets/dataset.entity';
import { DatasetCountsEntity } from '../datasets/dataset-counts.entity';
import { DatasetSpendEntity } from '../datasets/dataset-spend.entity';
import { ItemEntity } from '../datasets/item.entity';
import { ChainCursorEntity } from '../chain/chain-cursor.entity';
import { ChainDepositEntity } from '../chain/chain-deposit.entity';
import { LedgerBalanceEntity } from '../ledger/ledger-balance.entity';
import { ChainIdentityEntity } from '../chain/chain-identity.entity';
import { LedgerEntryEntity } from '../ledger/ledger-entry.entity';
import { UnsettledEntryEntity } from '../ledger/unsettled-entry.entity';
import { PayoutBatchEntity } from '../payouts/payout-batch.entity';
import { PayoutItemEntity } from '../payouts/payout-item.entity';
import { ItemResultEntity } from '../quality/item-result.entity';
import { WorkerStatEntity } from '../quality/worker-stat.entity';
import { OutboxEntity } from '../queues/outbox.entity';
import { AnswerEntity } from '../tasks/answer.entity';
import { AssignmentEntity } from '../tasks/assignment.entity';
import { TaskEntity } from '../tasks/task.entity';
import { TaskSplitEntity } from '../tasks/task-split.entity';
import { WorkerSeenItemEntity } from '../tasks/worker-seen-item.entity';
import { WorkerWithoutGoldEntity } from '../tasks/worker-without-gold.entity';
import { ClaimFullWalkEntity } from '../tasks/claim-full-walk.entity';

export const ENTITIES = [
  AccountEntity,
  AuthNonceEntity,
  ApiKeyEntity,
  AuditEventEntity,
  OutboxEntity,
  DatasetEntity,
  DatasetSpendEntity,
  DatasetCountsEntity,
  ItemEntity,
  TaskEntity,
  AssignmentEntity,
  AnswerEntity,
  WorkerStatEntity,
  ItemResultEntity,
  DatasetConsensusEntity,
  LedgerEntryEntity,
  LedgerBalanceEntity,
  UnsettledEntryEntity,
  PayoutBatchEntity,
  PayoutItemEntity,
  ChainDepositEntity,
  ChainCursorEntity,
  ChainIdentityEntity,
  TaskSplitEntity,
  WorkerSeenItemEntity,
  WorkerWithoutGoldEntity,
  ClaimFullWalkEntity,
  DisputeEntity,
  DisputeDecisionEntity,
  GoldRescoreEntity,
];
