import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from './role';

@Entity('accounts')
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  // Lower-case hex; the unique index is the identity of a wallet.
  @Column({ type: 'varchar', length: 42, unique: true }) address: string;
  @Column({ type: 'enum', enum: Role, enumName: 'account_role', array: true, default: () => "'{LABELER}'" })
  roles: Role[];
  @Column({ type: 'boolean', default: false }) blocked: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
