import { MigrationInterface, QueryRunner } from "typeorm";

// A used nonce is deleted now (src/auth/auth-nonces.repository.ts), so used_at has nothing to say;
// the nonces used or expired before are dropped with it.

export class AuthNoncesWithoutUsedAt1795940100000 implements MigrationInterface {
    name = 'AuthNoncesWithoutUsedAt1795940100000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DELETE FROM "auth_nonces" WHERE "used_at" IS NOT NULL OR "expires_at" <= now()`);
        await queryRunner.query(`ALTER TABLE "auth_nonces" DROP COLUMN "used_at"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "auth_nonces" ADD "used_at" TIMESTAMP WITH TIME ZONE`);
    }

}
