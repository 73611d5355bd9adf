import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SubmitAssignmentFunction1795920100000 } from './1795920100000-SubmitAssignmentFunction';

// submitAssignment in ONE round trip. The api used to read the assignment, its dataset's terms and
// the gold labels of its gold items before calling submit_assignment, only to validate the answers
// and score them on gold. Now:
// - validation needs only facts that never change (the assignment's items, the dataset's label
//   schema), which the api keeps from the claim (tasks/submit-facts.cache.ts);
// - gold is scored by the verdict (tasks/verdict.service.ts), which reads the gold labels as they
//   are when it decides, so a submit does no gold-specific work at all. Until then gold_correct is
//   NULL and gold_total is the number of gold items shown, which is what the worker's pending gold
//   counts for the verdict-due rule (quality/verdict-rule.ts verdictDue); the verdict writes the
//   scored values and moves the counters by them.
//
// p_answers NULL asks only for the state: the api found the answers invalid and refuses them only
// if the lease is live (outcome LIVE), the same order of checks as a valid submission.
// Returns {outcome: NOT_FOUND | STATE (not ACTIVE any more: status, hash, times) | NOT_OPEN (dataset
// cancelled) | EXPIRED (the lease ran out: ended here, slot given back) | LIVE | SUBMITTED}.
//
// A worker's pending batch asks for its verdict once, not on every submit after it became due. A
// worker who kept submitting while the verdict was on its way left one request per submit, and
// every request after the first found nothing left to decide: a transaction of four statements for
// nothing (two in three verdict runs in bench:assign).
//
// worker_stats.verdict_asked_at says a request is on its way. A due submit asks only when none is,
// or when the last one went unanswered for 30 seconds (presumed lost with its queue: asking twice
// costs one empty verdict run, not asking costs a batch that waits for the overdue scan). Every
// verdict run that finds the batch clears it, decided or not yet due — a worker process whose
// VERDICT_MIN_GOLD is higher than the api's, or gold retired while the batch waited, leaves the
// batch to ask again on its next due submit. Where every submit is due at once (no gold, no bar,
// VERDICT_MAX_DELAY_SECONDS = 0) every submit still asks.
export class SubmitInOneCall1796200000000 implements MigrationInterface {
  name = 'SubmitInOneCall1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION submit_assignment(uuid, uuid, jsonb, text, int, int, timestamptz, int, int)`);
    await queryRunner.query(`ALTER TABLE "worker_stats" ADD "verdict_asked_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(SUBMIT_ASSIGNMENT);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION submit_assignment(uuid, uuid, jsonb, text, timestamptz, int, int)`);
    await queryRunner.query(`ALTER TABLE "worker_stats" DROP COLUMN "verdict_asked_at"`);
    await new SubmitAssignmentFunction1795920100000().up(queryRunner);
  }
}

const SUBMIT_ASSIGNMENT = `
CREATE FUNCTION submit_assignment(p_worker uuid, p_assignment uuid, p_answers jsonb, p_hash text,
                                  p_now timestamptz, p_min_gold int, p_max_delay_seconds int) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  a record;
  d record;
  shown_gold int;
  waiting_gold int;
  asked_at timestamptz;
  ask boolean := false;
BEGIN
  SELECT id, task_id, dataset_id, gold_item_ids, status, expires_at, submission_hash, submitted_at, verdict_at INTO a
    FROM assignments WHERE id = p_assignment AND worker_id = p_worker FOR UPDATE;
  IF NOT FOUND THEN RETURN jsonb_build_object('outcome', 'NOT_FOUND'); END IF;
  IF a.status <> 'ACTIVE' THEN
    RETURN jsonb_build_object('outcome', 'STATE', 'status', a.status, 'hash', a.submission_hash, 'submittedAt', a.submitted_at, 'verdictAt', a.verdict_at);
  END IF;
  SELECT status, gold_per_task, min_gold_accuracy INTO d FROM datasets WHERE id = a.dataset_id;
  IF d.status = 'CANCELLED' THEN RETURN jsonb_build_object('outcome', 'NOT_OPEN'); END IF;
  IF p_now >= a.expires_at THEN
    UPDATE assignments SET status = 'EXPIRED' WHERE id = a.id;
    UPDATE tasks SET open_slots = open_slots + 1 WHERE id = a.task_id;
    PERFORM count_abandoned(ARRAY[a.id]);
    RETURN jsonb_build_object('outcome', 'EXPIRED');
  END IF;
  IF p_answers IS NULL THEN RETURN jsonb_build_object('outcome', 'LIVE'); END IF;

  shown_gold := coalesce(cardinality(a.gold_item_ids), 0);
  INSERT INTO answers (assignment_id, dataset_id, item_id, worker_id, value, is_gold, accepted)
  SELECT a.id, a.dataset_id, x.item_id, p_worker, x.value, x.item_id = ANY (a.gold_item_ids), false
    FROM jsonb_to_recordset(p_answers) AS x(item_id uuid, value jsonb);
  UPDATE assignments SET status = 'SUBMITTED', submitted_at = p_now, submission_hash = p_hash, gold_correct = NULL, gold_total = shown_gold
   WHERE id = a.id;
  INSERT INTO worker_stats (worker_id, dataset_id, answers, submitted, pending, pending_gold)
  VALUES (p_worker, a.dataset_id, jsonb_array_length(p_answers), 1, 1, shown_gold)
  ON CONFLICT (worker_id, dataset_id) DO UPDATE SET
    answers = worker_stats.answers + EXCLUDED.answers,
    submitted = worker_stats.submitted + 1,
    pending = worker_stats.pending + 1,
    pending_gold = worker_stats.pending_gold + EXCLUDED.pending_gold,
    updated_at = now()
  RETURNING pending_gold, verdict_asked_at INTO waiting_gold, asked_at;
  IF d.gold_per_task = 0 OR d.min_gold_accuracy IS NULL OR p_max_delay_seconds = 0 THEN
    ask := true;
  ELSIF waiting_gold >= p_min_gold AND (asked_at IS NULL OR asked_at <= p_now - interval '30 seconds') THEN
    UPDATE worker_stats SET verdict_asked_at = p_now WHERE worker_id = p_worker AND dataset_id = a.dataset_id;
    ask := true;
  END IF;
  IF ask THEN
    INSERT INTO outbox (queue, job_name, payload, job_id)
    VALUES ('tasks', 'tasks.decide-verdicts', jsonb_build_object('workerId', p_worker, 'datasetId', a.dataset_id), 'verdict:' || a.id);
  END IF;
  RETURN jsonb_build_object('outcome', 'SUBMITTED', 'submittedAt', p_now);
END
$fn$`;
