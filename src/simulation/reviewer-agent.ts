import { ApiError, type ApiClient, type Session } from './api-client';
import type { RunLedger } from './ledger-of-run';
import { setTimeout as pause } from 'node:timers/promises';
import { pick, type Random } from './random';

// One simulated reviewer: works the dispute queue of the dataset until it is finished. It knows
// the truth the way an expert does (right `accuracy` of the time on a disputed label) and
// decides each kind of case as the product asks: a final label, gold verdicts, uphold or not.

export interface ReviewerContext {
  api: ApiClient;
  session: Session;
  name: string;
  datasetId: string;
  classes: readonly string[];
  random: Random;
  ledger: RunLedger;
  accuracy: number;
  finished: () => boolean;
  /** The dataset's dispute reserve cannot pay a decision: the owner tops it up (`required` tokens). */
  topUpReserve: (required: string | undefined) => Promise<void>;
}

interface CaseItem {
  itemId: string;
  gold: boolean;
  payload: { ref?: string };
  referenceLabel: unknown;
  answers: { appellant: boolean; label: unknown }[];
}

interface DisputeCase {
  dispute: { id: string; kind: string };
  items: CaseItem[];
}

const CLAIM =
  'mutation($d: ID) { claimDispute(datasetId: $d) { dispute { id kind } items { itemId gold payload referenceLabel answers { appellant label } } } }';
const RESOLVE = 'mutation($id: ID!, $i: ResolveDisputeInput!) { resolveDispute(disputeId: $id, input: $i) { id } }';

export async function runReviewer(ctx: ReviewerContext): Promise<void> {
  while (!ctx.finished()) {
    let claimed: DisputeCase | null;
    try {
      claimed = (
        await ctx.api.gql<{ claimDispute: DisputeCase | null }>(CLAIM, { d: ctx.datasetId }, ctx.session.token)
      ).claimDispute;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      ctx.ledger.note(`${ctx.name}: claimDispute refused ${error.code}`);
      await pause(1000);
      continue;
    }
    if (claimed === null) {
      await pause(1000);
      continue;
    }
    await pause(100 + ctx.random() * 400);
    const input = decide(ctx, claimed);
    const resolve = () => ctx.api.gql(RESOLVE, { id: claimed.dispute.id, i: input }, ctx.session.token);
    await resolve().catch(async (error: unknown) => {
      if (!(error instanceof ApiError)) throw error;
      ctx.ledger.note(`${ctx.name}: resolveDispute refused ${error.code}`);
      if (error.code !== 'INSUFFICIENT_BUDGET') return;
      // Upheld appeals and review rewards drained the reserve: the owner adds to it, and the
      // reviewer, still holding the case, decides again.
      await ctx.topUpReserve(error.details?.required as string | undefined);
      await resolve().catch(() => undefined);
    });
  }
}

function decide(ctx: ReviewerContext, c: DisputeCase): Record<string, unknown> {
  const truthOf = (item: CaseItem): string | undefined => ctx.ledger.refs.get(String(item.payload.ref))?.truth;
  const goldVerdicts = c.items
    .filter((item) => item.gold)
    .map((item) => {
      const truth = truthOf(item);
      return truth === undefined || truth === item.referenceLabel
        ? { itemId: item.itemId, verdict: 'KEEP' }
        : { itemId: item.itemId, verdict: 'CORRECT', label: truth };
    });
  switch (c.dispute.kind) {
    case 'APPEAL': {
      // Upheld when the appellant's answers were mostly right after all.
      const judged = c.items.flatMap((item) =>
        item.answers.filter((a) => a.appellant).map((a) => a.label === truthOf(item)),
      );
      const right = judged.filter(Boolean).length;
      const uphold = judged.length > 0 && right / judged.length >= 0.7;
      return { gold: goldVerdicts, uphold, note: uphold ? 'Your answers hold up.' : 'Too many answers were wrong.' };
    }
    case 'GOLD_CONTEST':
      return { gold: goldVerdicts, note: 'Checked the reference label.' };
    default: {
      const truth = truthOf(c.items[0]);
      const label = truth !== undefined && ctx.random() < ctx.accuracy ? truth : pick(ctx.random, ctx.classes);
      return { label, note: 'Reviewed the item.' };
    }
  }
}
