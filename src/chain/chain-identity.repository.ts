import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChainIdentity } from './chain-identity';

interface Row {
  chain_id: string;
  genesis_hash: string;
  anchor_block: string;
  anchor_hash: string;
  token_address: string;
  vault_address: string;
  token_code_hash: string;
  vault_code_hash: string;
}

// The one row naming the chain this database was built on.
@Injectable()
export class ChainIdentityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async recorded(): Promise<ChainIdentity | null> {
    const [row] = (await this.dataSource.query('SELECT * FROM chain_identity WHERE id = 1')) as Row[];
    return row === undefined ? null : identityOf(row);
  }

  /**
   * The earliest block a payout or deposit of this database was seen in: how a database that
   * predates its identity record still knows its chain. null for a database without any.
   */
  async oldestKnownBlock(): Promise<{ number: number; hash: string } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT block_number::text AS number, block_hash AS hash FROM (
         SELECT block_number, block_hash FROM payout_batches WHERE status = 'CONFIRMED' AND block_hash IS NOT NULL
         UNION ALL
         SELECT block_number, block_hash FROM chain_deposits WHERE status IN ('CREDITED', 'UNMATCHED')
       ) seen ORDER BY block_number LIMIT 1`,
    )) as { number: string; hash: string }[];
    return row === undefined ? null : { number: Number(row.number), hash: row.hash };
  }

  /** Records `identity` unless one is recorded already (two replicas booting at once); returns the recorded one. */
  async recordFirst(identity: ChainIdentity): Promise<ChainIdentity> {
    await this.dataSource.query(
      `INSERT INTO chain_identity (id, chain_id, genesis_hash, anchor_block, anchor_hash, token_address, vault_address, token_code_hash, vault_code_hash)
       VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [
        identity.chainId,
        identity.genesisHash,
        identity.anchorBlock,
        identity.anchorHash,
        identity.tokenAddress,
        identity.vaultAddress,
        identity.tokenCodeHash,
        identity.vaultCodeHash,
      ],
    );
    return (await this.recorded()) as ChainIdentity;
  }
}

function identityOf(row: Row): ChainIdentity {
  return {
    chainId: Number(row.chain_id),
    genesisHash: row.genesis_hash,
    anchorBlock: Number(row.anchor_block),
    anchorHash: row.anchor_hash,
    tokenAddress: row.token_address,
    vaultAddress: row.vault_address,
    tokenCodeHash: row.token_code_hash,
    vaultCodeHash: row.vault_code_hash,
  };
}
