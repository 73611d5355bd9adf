import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// How far a chain scanner (e.g. 'deposits') has processed confirmed blocks. The next scan
// starts CHAIN_REORG_WINDOW blocks before it, so recent blocks are looked at again.
@Entity('chain_cursors')
export class ChainCursorEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name: string;
  @Column({ type: 'bigint' }) blockNumber: string;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
