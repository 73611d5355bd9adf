import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

// The chain this database was built on, recorded at the first boot against a chain: its id, its
// genesis hash, the hash of one settled block, and the contracts (address and code hash). Every
// later boot, and every money-moving job, checks the chain still matches it (chain-identity.ts).
@Entity('chain_identity')
@Check('chain_identity_single_row', '"id" = 1')
export class ChainIdentityEntity {
  @PrimaryColumn({ type: 'smallint', default: 1 }) id: number;
  @Column({ type: 'bigint' }) chainId: string;
  @Column({ type: 'char', length: 66 }) genesisHash: string;
  @Column({ type: 'bigint' }) anchorBlock: string;
  @Column({ type: 'char', length: 66 }) anchorHash: string;
  @Column({ type: 'varchar', length: 42 }) tokenAddress: string;
  @Column({ type: 'varchar', length: 42 }) vaultAddress: string;
  @Column({ type: 'char', length: 66 }) tokenCodeHash: string;
  @Column({ type: 'char', length: 66 }) vaultCodeHash: string;
  @CreateDateColumn({ type: 'timestamptz' }) recordedAt: Date;
}
