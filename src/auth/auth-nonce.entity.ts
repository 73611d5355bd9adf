import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

// A SIWE nonce while it can be used: deleted when used, swept once expired (AuthNoncesRepository).
@Entity('auth_nonces')
export class AuthNonceEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) nonce: string;
  @Column({ type: 'varchar', length: 42 }) address: string;
  @Index() @Column({ type: 'timestamptz' }) expiresAt: Date;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
