import type { EntityManager } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';

// Written inside the caller's transaction, so an audited change and its entry commit together.
export async function recordAudit(
  manager: EntityManager,
  event: { actorId: string | null; action: string; subject: string; data?: Record<string, unknown> },
): Promise<void> {
  await manager.save(
    manager.create(AuditEventEntity, {
      actorId: event.actorId,
      action: event.action,
      subject: event.subject,
      data: event.data ?? {},
    }),
    { reload: false },
  );
}
