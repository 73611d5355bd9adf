// Every entity of the service, in one list, so the app, the TypeORM CLI and the tests agree.
// Each domain adds its entities here.
import { AccountEntity } from '../auth/account.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { AuthNonceEntity } from '../auth/auth-nonce.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { OutboxEntity } from '../queues/outbox.entity';

export const ENTITIES = [AccountEntity, AuthNonceEntity, ApiKeyEntity, AuditEventEntity, OutboxEntity];
