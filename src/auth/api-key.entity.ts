import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AccountEntity } from './account.entity';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Index() @Column({ type: 'uuid' }) accountId: string;
  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'account_id' }) account?: AccountEntity;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 16 }) prefix: string;
  // sha256 of the secret; the secret itself is shown once and never stored.
  @Column({ type: 'char', length: 64, unique: true }) keyHash: string;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
