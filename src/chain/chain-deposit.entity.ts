import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { bigintColumn } from '../common/money';
import type { DepositStatus } from './deposit-status';

// One vault Deposited event. unique(tx_hash, log_index) is what makes a credit happen once,
// however often (and by however many workers) a block range is scanned.
@Entity('chain_deposits')
@Unique('chain_deposits_log_key', ['txHash', 'logIndex'])
@Index('chain_deposits_block_idx', ['blockNumber'])
// What on-chain deposits credited a dataset: the most a refund may send back.
@Index('chain_deposits_dataset_idx', ['datasetId'], { where: "status = 'CREDITED'" })
export class ChainDepositEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'char', length: 66 }) txHash: string;
  @Column({ type: 'int' }) logIndex: number;
  @Column({ type: 'bigint' }) blockNumber: string;
  @Column({ type: 'char', length: 66 }) blockHash: string;
  @Column({ type: 'char', length: 66 }) datasetKey: string;
  @Column({ type: 'uuid', nullable: true }) datasetId: string | null;
  @Column({ type: 'varchar', length: 42 }) fromAddress: string;
  @Column({ type: 'numeric', precision: 78, scale: 0, transformer: bigintColumn }) amount: bigint;
  @Column({ type: 'varchar', length: 16 }) status: DepositStatus;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
