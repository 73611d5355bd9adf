import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintColumn } from '../common/money';
import { PayoutStatus } from './payout-status';

const money = { type: 'numeric', precision: 78, scale: 0, transformer: bigintColumn } as const;

export type VaultTxKind = 'PAYOUT' | 'REFUND';

// One on-chain payBatch (or refund: see kind). id is the batch uuid; batchId = keccak256(id) is what the vault sees,
// so every (re)send of this row carries the same id and the vault pays it at most once.
@Entity('payout_batches')
@Index('payout_batches_created_idx', ['createdAt', 'id'])
@Index('payout_batches_live_idx', ['status'], { where: "status IN ('PENDING', 'SUBMITTED')" })
// FAILED but not yet released: watched for a reorg that pays it after all (payout-reconciler).
@Index('payout_batches_failed_watch_idx', ['failedBlock'], { where: "status = 'FAILED' AND released_at IS NULL" })
// A dataset has at most one refund on its way at a time.
@Index('payout_batches_one_live_refund', ['datasetId'], {
  unique: true,
  where: "kind = 'REFUND' AND status IN ('PENDING', 'SUBMITTED')",
})
export class PayoutBatchEntity {
  @PrimaryColumn({ type: 'uuid' }) id: string;
  // PAYOUT: payBatch(Packed) to labelers. REFUND: PayoutVault.refund of a dataset's unspent budget
  // to its owner (one recipient; batchId is the refund id, datasetId the dataset). Both go through
  // the same sender, so both get write-ahead signing, nonce reservation and reorg handling.
  @Column({ type: 'varchar', length: 16, default: 'PAYOUT' }) kind: VaultTxKind;
  @Column({ type: 'uuid', nullable: true }) datasetId: string | null;
  @Column({ type: 'char', length: 66, unique: true }) batchId: string;
  @Column({ type: 'char', length: 66 }) manifestHash: string;
  // The canonical manifest text, byte for byte what was hashed (jsonb would reorder keys).
  @Column({ type: 'text' }) manifest: string;
  @Column({ type: 'varchar', length: 16, default: PayoutStatus.PENDING }) status: PayoutStatus;
  @Column({ type: 'int' }) recipients: number;
  @Column({ ...money }) total: bigint;
  // The current transaction, stored (signed) BEFORE it is broadcast: after a crash the same
  // bytes are re-broadcast, and the nonce is never handed to anything else.
  @Column({ type: 'bigint', nullable: true }) nonce: string | null;
  @Column({ type: 'char', length: 66, nullable: true }) txHash: string | null;
  @Column({ type: 'text', nullable: true }) rawTx: string | null;
  @Column({ ...money, nullable: true }) maxFeePerGas: bigint | null;
  @Column({ ...money, nullable: true }) maxPriorityFeePerGas: bigint | null;
  @Column({ ...money, nullable: true }) gasLimit: bigint | null;
  @Column({ type: 'timestamptz', nullable: true }) submittedAt: Date | null;
  @Column({ type: 'int', default: 0 }) sendCount: number;
  // Chain head when first signed: BatchPaid logs are searched from here.
  @Column({ type: 'bigint', nullable: true }) fromBlock: string | null;
  @Column({ type: 'bigint', nullable: true }) blockNumber: string | null;
  @Column({ type: 'char', length: 66, nullable: true }) blockHash: string | null;
  @Column({ type: 'timestamptz', nullable: true }) confirmedAt: Date | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) failureReason: string | null;
  // FAILED: the chain head when it failed. Until that is CHAIN_REORG_WINDOW blocks deep a reorg
  // could still pay it, so its debits stay and its earnings stay out of the settlement queue;
  // released_at is set when they are given back (at once for a batch never signed).
  @Column({ type: 'bigint', nullable: true }) failedBlock: string | null;
  @Column({ type: 'timestamptz', nullable: true }) releasedAt: Date | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
