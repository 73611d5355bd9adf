import { MigrationInterface, QueryRunner } from "typeorm";

// One row: the chain this database was built on (src/chain/chain-identity.ts). A service pointed
// at another chain (a restarted dev chain, a wrong RPC URL or contract address) refuses to run.

export class ChainIdentity1795940000000 implements MigrationInterface {
    name = 'ChainIdentity1795940000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "chain_identity" ("id" smallint NOT NULL DEFAULT '1', "chain_id" bigint NOT NULL, "genesis_hash" character(66) NOT NULL, "anchor_block" bigint NOT NULL, "anchor_hash" character(66) NOT NULL, "token_address" character varying(42) NOT NULL, "vault_address" character varying(42) NOT NULL, "token_code_hash" character(66) NOT NULL, "vault_code_hash" character(66) NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chain_identity_single_row" CHECK ("id" = 1), CONSTRAINT "PK_078599e78b3fc6468d009d90d49" PRIMARY KEY ("id"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "chain_identity"`);
    }

}
