import { setTimeout as pause } from 'node:timers/promises';
import { ApiError, type ApiClient, type Session } from './api-client';
import type { LabelerModel } from './crowd';
import type { SubmittedAnswer, RunLedger } from './ledger-of-run';
import type { Random } from './random';

// One simulated labeler: claims, thinks, answers as its kind does, sometimes gives a task back or
// lets its lease run out, now and then sends the same submit twice (a double click), and appeals
// rejections if its kind does. Stops when the dataset stops handing out work or blocks it.

export interface LabelerContext {
  api: ApiClient;
  session: Session;
  model: LabelerModel;
  datasetId: string;
  classes: readonly string[];
  random: Random;
  ledger: RunLedger;
  thinkMs: number;
  finished: () => boolean;
}

interface Claimed {
  id: string;
  items: { id: string; payload: { ref?: string } }[];
}

const CLAIM = 'mutation($d: ID) { claimTask(datasetId: $d) { id items { id payload } } }';
const SUBMIT = 'mutation($a: ID!, $x: [AnswerInput!]!) { submitAssignment(assignmentId: $a, answers: $x) { status } }';
const RELEASE = 'mutation($a: ID!) { releaseAssignment(assignmentId: $a) }';
const REJECTED = '{ myAssignments(status: REJECTED, first: 100) { edges { node { id } } } }';
const APPEAL = 'mutation($a: ID!, $r: String!) { appealAssignment(assignmentId: $a, reason: $r) { id } }';

const BLOCKED = new Set(['WORKER_BLOCKED_ON_DATASET', 'ACCOUNT_BLOCKED']);
const REPLAY_RATE = 0.03;

export async function runLabeler(ctx: LabelerContext): Promise<void> {
  const { api, session, model, ledger, random } = ctx;
  const appealed = new Set<string>();
  for (let round = 1; !ctx.finished(); round++) {
    let claimed: Claimed | null;
    try {
      claimed = (await api.gql<{ claimTask: Claimed | null }>(CLAIM, { d: ctx.datasetId }, session.token)).claimTask;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (BLOCKED.has(error.code)) {
        ledger.blockedAt.set(model.name, { t: ledger.seconds(), reason: error.code });
        return;
      }
      // Finished: DATASET_NOT_OPEN, or NOT_FOUND once a finished dataset is no longer listed to labelers.
      if (error.code === 'DATASET_NOT_OPEN' || error.code === 'NOT_FOUND') return;
      // Every gold item it may see is used up: the dataset has nothing more for this labeler.
      if (error.details?.reason === 'NO_GOLD_LEFT') {
        ledger.note(`labelers out of unseen gold (NO_GOLD_LEFT)`);
        return;
      }
      if (error.code !== 'NOTHING_TO_CLAIM') ledger.note(`${model.name}: claim refused ${error.code}`);
      await pause(1000);
      continue;
    }
    if (claimed === null) {
      await pause(500 + random() * 1000);
      continue;
    }
    await pause(ctx.thinkMs * (0.5 + random()));
    if (random() < model.releaseRate) {
      await api.gql(RELEASE, { a: claimed.id }, session.token).catch(() => undefined);
      continue;
    }
    if (random() < model.abandonRate) {
      continue;
    }
    if (!(await submit(ctx, claimed))) return;
    if (model.appeals && round % 5 === 0) await appealRejections(ctx, appealed);
  }
  if (model.appeals) await appealRejections(ctx, appealed);
}

/** false when the labeler was found blocked. */
async function submit(ctx: LabelerContext, claimed: Claimed): Promise<boolean> {
  const { api, session, model, ledger, random } = ctx;
  const answers: SubmittedAnswer[] = claimed.items.map((item) => {
    const ref = String(item.payload.ref);
    const truth = ledger.refs.get(ref)?.truth ?? ctx.classes[0];
    return { labeler: model.name, ref, itemId: item.id, label: model.answer(ref, truth, ctx.classes, random) };
  });
  const variables = { a: claimed.id, x: answers.map((a) => ({ itemId: a.itemId, label: a.label })) };
  try {
    await api.gql(SUBMIT, variables, session.token);
    ledger.confirmed.set(claimed.id, answers);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (BLOCKED.has(error.code)) {
      ledger.blockedAt.set(model.name, { t: ledger.seconds(), reason: error.code });
      return false;
    }
    // A refusal after a request that was cut and sent again: the first may have been stored.
    // Which it was, the product's own record of the assignment tells at the end.
    if (error.code === 'ASSIGNMENT_NOT_ACTIVE') ledger.unconfirmed.set(claimed.id, answers);
    else ledger.note(`${model.name}: submit refused ${error.code}`);
    return true;
  }
  if (random() < REPLAY_RATE) {
    ledger.replaysSent++;
    const replay = await api.gql(SUBMIT, variables, session.token).then(
      () => true,
      () => false,
    );
    if (replay) ledger.replaysAccepted++;
  }
  return true;
}

async function appealRejections(ctx: LabelerContext, appealed: Set<string>): Promise<void> {
  const { myAssignments } = await ctx.api.gql<{ myAssignments: { edges: { node: { id: string } }[] } }>(
    REJECTED,
    {},
    ctx.session.token,
  );
  for (const { node } of myAssignments.edges) {
    if (appealed.has(node.id)) continue;
    appealed.add(node.id);
    await ctx.api
      .gql(APPEAL, { a: node.id, r: 'I checked my answers again and I believe they are right.' }, ctx.session.token)
      // A refusal (window closed, already appealed) is the product's answer; nothing to do.
      .catch(() => undefined);
  }
}
