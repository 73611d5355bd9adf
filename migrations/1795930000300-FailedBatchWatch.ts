import { MigrationInterface, QueryRunner } from "typeorm";

// A batch whose transaction reverted could still be paid if a reorg deeper than the confirmations
// re-includes it successfully; giving its earnings back at once let a later batch pay them again.
// Now a FAILED batch is watched (vault.paid / BatchPaid) until its failure is older than the reorg
// window (failed_block: chain head when it failed); only then is it released (debits reversed,
// earnings back in the settlement queue; for a refund, refunded lowered). released_at marks that.
export class FailedBatchWatch1795930000300 implements MigrationInterface {
    name = 'FailedBatchWatch1795930000300'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "payout_batches" ADD "failed_block" bigint`);
        await queryRunner.query(`ALTER TABLE "payout_batches" ADD "released_at" TIMESTAMP WITH TIME ZONE`);
        // Batches failed before this migration were released when they failed.
        await queryRunner.query(`UPDATE payout_batches SET released_at = updated_at WHERE status = 'FAILED'`);
        await queryRunner.query(`CREATE INDEX "payout_batches_failed_watch_idx" ON "payout_batches" ("failed_block") WHERE status = 'FAILED' AND released_at IS NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."payout_batches_failed_watch_idx"`);
        await queryRunner.query(`ALTER TABLE "payout_batches" DROP COLUMN "released_at"`);
        await queryRunner.query(`ALTER TABLE "payout_batches" DROP COLUMN "failed_block"`);
    }

}
