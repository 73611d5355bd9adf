import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('auth_nonces')
export class AuthNonceEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) nonce: string;
  @Column({ type: 'varchar', length: 42 }) address: string;
  @Index() @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
